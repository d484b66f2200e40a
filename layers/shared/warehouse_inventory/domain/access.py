"""Who may call what: the one table of every route's minimum role (CONTRACT.md, roles).

The authorizer turns it into the policy API Gateway caches, and every function enforces it again
from the same table, so the gateway and the app cannot disagree. A test fails on any route of
template.yaml or of the app that is missing here.
"""

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def includes(self, other: "Role") -> bool:
        """Each role includes the ones before it: viewer < operator < admin."""
        return self.rank >= other.rank


_RANKS = {role: rank for rank, role in enumerate(Role)}
"""Each role's place in the order above, once: every request compares two."""

PUBLIC = None
"""Minimum role of the routes that need no token."""

MINIMUM_ROLE: dict[tuple[str, str], Role | None] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/docs/{asset}"): PUBLIC,  # the docs page's script and stylesheet
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/me"): Role.VIEWER,  # any valid token: every role includes viewer
    ("GET", "/inventory/{sku}"): Role.VIEWER,
    ("GET", "/inventory"): Role.VIEWER,
    ("POST", "/inventory/restock"): Role.OPERATOR,
    ("POST", "/inventory/pick"): Role.OPERATOR,
    ("POST", "/inventory/transfer"): Role.OPERATOR,
    ("POST", "/inventory/adjust"): Role.OPERATOR,
    ("POST", "/inventory/movements"): Role.OPERATOR,
    ("GET", "/reports/movements"): Role.VIEWER,
    ("GET", "/reports/low-stock"): Role.VIEWER,
    ("GET", "/reports/locations"): Role.VIEWER,
    ("GET", "/items/{sku}"): Role.VIEWER,
    ("GET", "/items"): Role.VIEWER,
    ("PUT", "/items/{sku}"): Role.ADMIN,
    ("DELETE", "/items/{sku}"): Role.ADMIN,
    ("POST", "/tokens"): Role.ADMIN,
    ("GET", "/tokens"): Role.ADMIN,
    ("DELETE", "/tokens/{token_id}"): Role.ADMIN,
}


def minimum_role(method: str, path: str) -> Role | None:
    """KeyError for a route nobody declared: an undeclared route is a bug, never open."""
    return MINIMUM_ROLE[(method.upper(), path)]


def may_call(role: Role | None, method: str, path: str) -> bool:
    required = minimum_role(method, path)
    return required is PUBLIC or (role is not None and role.includes(required))


def routes_for(role: Role) -> list[tuple[str, str]]:
    """Every protected route `role` may call, as (method, resource path with `*` for parameters)."""
    return [
        (method, _policy_resource(path))
        for (method, path), required in MINIMUM_ROLE.items()
        if required is not PUBLIC and role.includes(required)
    ]


def _policy_resource(path: str) -> str:
    return "/".join("*" if part.startswith("{") else part for part in path.split("/"))
