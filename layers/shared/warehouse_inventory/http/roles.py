"""Every function checks the caller's role against domain.access.MINIMUM_ROLE, as the gateway does.

The authorizer's policy already keeps callers off routes above their role; checking again in the
function means a misconfigured API (an event without the authorizer) fails closed, not open.
"""

from collections.abc import Iterable, Iterator

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from warehouse_inventory.domain.access import MINIMUM_ROLE, PUBLIC, Role, minimum_role
from warehouse_inventory.domain.errors import Forbidden, Unauthorized
from warehouse_inventory.http.context import principal_of


def enforce_minimum_role(request: Request, route: APIRoute) -> None:
    """Run by every route before FastAPI solves its parameters (request_body.JsonBodyRoute)."""
    required = minimum_role(request.method, route.path)
    if required is PUBLIC:
        return
    role = principal_of(request.scope).role
    if role is None:
        raise Unauthorized("A valid bearer token is required.")
    if role not in Role.__members__.values() or not Role(role).includes(required):
        raise Forbidden(f"This operation needs the {required} role.")


def undeclared_routes(app: FastAPI) -> list[str]:
    """Routes of the app without a minimum role: each is a bug, caught at import time."""
    return [
        f"{method} {route.path}"
        for route in api_routes(app.routes)
        for method in route.methods or ()
        if (method, route.path) not in MINIMUM_ROLE
    ]


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI >= 0.160 nests them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (router := getattr(route, "original_router", None)) is not None:
            yield from api_routes(router.routes)
