"""Query parameters a route does not declare are refused (422), never silently ignored
(`GET /inventory?sku=X` would otherwise list every SKU).

Checked for every route by its route class (request_body.JsonBodyRoute): what a route accepts
is read from the parameters FastAPI found in its signature and its dependencies, so a new route
needs nothing here.
"""

from collections.abc import Iterator

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from warehouse_inventory.domain.errors import ValidationFailed


def _query_names(dependant: Dependant) -> Iterator[str]:
    for field in dependant.query_params:
        yield field.alias
    for dependency in dependant.dependencies:
        yield from _query_names(dependency)


_declared: dict[int, tuple[str, ...]] = {}  # by id(route): routes live as long as the process


def declared_query_parameters(route: APIRoute) -> tuple[str, ...]:
    """The query parameters `route` takes, by the names a client sends (aliases), in order."""
    if id(route) not in _declared:
        _declared[id(route)] = tuple(dict.fromkeys(_query_names(route.dependant)))
    return _declared[id(route)]


def refuse_unknown_query_parameters(request: Request, route: APIRoute) -> None:
    declared = declared_query_parameters(route)
    if not request.scope["query_string"]:
        return  # most requests: no query string to parse
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in declared]
    if not unknown:
        return
    takes = ", ".join(declared) if declared else "none"
    raise ValidationFailed(
        "Unknown query parameter: " + ", ".join(unknown) + ".",
        [
            {"field": name, "message": f"not a query parameter of this route (it takes: {takes})"}
            for name in unknown
        ],
    )
