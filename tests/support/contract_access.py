"""The contract's access rules written out independently of `access.MINIMUM_ROLE`, and the routes
of template.yaml, for the security tests to compare the two."""

import re

from warehouse_devstack.template import ApiRoute, Template
from warehouse_inventory.domain.access import Role

CONTRACT_PUBLIC_ROUTES = frozenset(
    {
        ("GET", "/health"),
        ("GET", "/api/docs"),
        # Part of /api/docs: the page's own script and stylesheet (no CDN, works offline).
        ("GET", "/api/docs/{asset}"),
        ("GET", "/api/openapi.json"),
    }
)
"""CONTRACT.md, "Authentication and roles": the only routes without a token."""

PATH_VALUES = {
    "sku": "NOSUCHSKU1",
    "token_id": "tok_00000000deadbeef",
    "asset": "swagger-ui.css",  # a real file of the (read-only) docs page, so it answers 200
}
"""Plausible path parameter values that name nothing, so no call of a matrix changes state."""

_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)\+?\}")


def contract_minimum_role(method: str, path: str) -> Role | None:
    """viewer: every GET except /tokens; operator: + stock movements; admin: everything else."""
    if (method, path) in CONTRACT_PUBLIC_ROUTES:
        return None
    if method == "GET" and path != "/tokens":
        return Role.VIEWER
    if method == "POST" and path.startswith("/inventory/"):
        return Role.OPERATOR
    return Role.ADMIN


def api_routes(template: Template) -> list[ApiRoute]:
    """Every route of the template's Api events, CORS preflights (OPTIONS) excluded."""
    return sorted(
        (
            route
            for spec in template.functions()
            for route in spec.routes
            if route.method != "OPTIONS"
        ),
        key=lambda route: (route.path, route.method),
    )


def concrete_path(path: str) -> str:
    """`/inventory/{sku}` -> `/inventory/NOSUCHSKU1`; an unknown parameter name gets `X1`."""
    return _PARAMETER.sub(lambda match: PATH_VALUES.get(match[1], "X1"), path)
