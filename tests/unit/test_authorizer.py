"""The TOKEN authorizer on an in-memory token store: who gets 401, and what policy the rest get.

API Gateway caches one policy per token for every route, so the policy must allow exactly the
routes of the role, whichever route the first request happened to call.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.contract_access import api_routes, concrete_path, contract_minimum_role
from warehouse_devstack.gateway.token_authorizer import method_arn, policy_allows
from warehouse_devstack.template import load_template
from warehouse_inventory.consumers.authorizer import authorize
from warehouse_inventory.domain.access import MINIMUM_ROLE, PUBLIC, Role, may_call, routes_for
from warehouse_inventory.domain.errors import NotFound
from warehouse_inventory.domain.tokens import ApiToken
from warehouse_inventory.services.tokens import TokenService

STAGE = "v1"
ARN_PREFIX = "arn:aws:execute-api:us-east-1:123456789012:local/v1/"
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


@dataclass
class FakeTokenRepository:
    """TokenRepository in a dict keyed by the secret's hash, like the tokens table."""

    by_hash: dict[str, ApiToken] = field(default_factory=dict)

    def add(self, token: ApiToken, secret_hash: str) -> None:
        self.by_hash[secret_hash] = token

    def find_by_hash(self, secret_hash: str) -> ApiToken | None:
        return self.by_hash.get(secret_hash)

    def list_active(self) -> list[ApiToken]:
        return [token for token in self.by_hash.values() if token.revoked_at is None]

    def revoke(self, token_id: str, now: datetime) -> None:
        for secret_hash, token in self.by_hash.items():
            if token.token_id == token_id and token.revoked_at is None:
                self.by_hash[secret_hash] = replace(token, revoked_at=now)
                return
        raise NotFound(f"Token {token_id} is not known or already revoked.")


@pytest.fixture
def service() -> TokenService:
    return TokenService(FakeTokenRepository(), clock=lambda: NOW)


def event(authorization: str, method: str = "GET", path: str = "/inventory") -> dict[str, Any]:
    return {
        "type": "TOKEN",
        "authorizationToken": authorization,
        "methodArn": method_arn(STAGE, method, path),
    }


def allowed_resources(response: dict[str, Any]) -> set[str]:
    statements = response["policyDocument"]["Statement"]
    assert all(statement["Action"] == "execute-api:Invoke" for statement in statements)
    assert all(statement["Effect"] == "Allow" for statement in statements)
    return {resource for statement in statements for resource in statement["Resource"]}


def protected_routes() -> list[tuple[str, str]]:
    """The template's routes and MINIMUM_ROLE's, less the public ones."""
    routes = {(route.method, route.path) for route in api_routes(load_template())}
    return sorted(
        route for route in routes | set(MINIMUM_ROLE) if MINIMUM_ROLE.get(route) is not None
    )


def contract_resources(role: Role) -> set[str]:
    """The ARNs the contract lets `role` call, path parameters as `*`."""
    resources = set()
    for method, path in protected_routes():
        required = contract_minimum_role(method, path)
        if required is not None and role.includes(required):
            wildcarded = "/".join("*" if part.startswith("{") else part for part in path.split("/"))
            resources.add(ARN_PREFIX + method + wildcarded)
    return resources


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "wh_only-the-secret",
        "Bearer " + "x" * 201,
        "Bearer wh_unknown-but-well-formed-secret-AAAAAAAAAAAAAAAAAAA",
    ],
)
def test_unknown_or_malformed_token_is_unauthorized(
    service: TokenService, authorization: str
) -> None:
    with pytest.raises(Exception) as raised:
        authorize(event(authorization), service)
    assert str(raised.value) == "Unauthorized"  # the only message API Gateway turns into 401


def test_revoked_token_is_unauthorized(service: TokenService) -> None:
    issued = service.issue("gone", Role.ADMIN)
    authorize(event(f"Bearer {issued.secret}"), service)  # live: no error
    service.revoke(issued.token.token_id)
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(event(f"Bearer {issued.secret}"), service)


def test_secret_of_another_scheme_is_unauthorized(service: TokenService) -> None:
    secret = service.issue("scheme", Role.ADMIN).secret
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(event(f"Token {secret}"), service)


@pytest.mark.parametrize("role", list(Role))
def test_policy_allows_exactly_the_contracts_routes_of_the_role(
    service: TokenService, role: Role
) -> None:
    issued = service.issue(f"{role}-bot", role)
    response = authorize(event(f"Bearer {issued.secret}"), service)
    assert allowed_resources(response) == contract_resources(role)


def test_viewer_policy_is_every_get_but_tokens(service: TokenService) -> None:
    response = authorize(event(f"Bearer {service.issue('v', Role.VIEWER).secret}"), service)
    resources = allowed_resources(response)
    assert ARN_PREFIX + "GET/inventory/*" in resources
    assert ARN_PREFIX + "GET/inventory" in resources
    assert all(resource.startswith(ARN_PREFIX + "GET/") for resource in resources)
    assert not any(resource.startswith(ARN_PREFIX + "GET/tokens") for resource in resources)


def test_operator_adds_movements_admin_adds_tokens(service: TokenService) -> None:
    def resources(role: Role) -> set[str]:
        secret = service.issue(str(role), role).secret
        return allowed_resources(authorize(event(f"Bearer {secret}"), service))

    viewer, operator, admin = (
        resources(Role.VIEWER),
        resources(Role.OPERATOR),
        resources(Role.ADMIN),
    )
    assert ARN_PREFIX + "POST/inventory/restock" in operator - viewer
    assert all("/POST/inventory/" in resource for resource in operator - viewer)
    assert {
        ARN_PREFIX + "POST/tokens",
        ARN_PREFIX + "GET/tokens",
        ARN_PREFIX + "DELETE/tokens/*",
    } <= admin - operator
    assert viewer < operator < admin


def test_context_names_the_token(service: TokenService) -> None:
    issued = service.issue("dock-scanner", Role.OPERATOR)
    response = authorize(event(f"Bearer {issued.secret}"), service)
    token_id = issued.token.token_id
    assert response["principalId"] == token_id
    assert response["context"] == {"token_id": token_id, "name": "dock-scanner", "role": "operator"}
    assert issued.secret not in str(response)


@pytest.mark.parametrize("first_call", protected_routes(), ids=" ".join)
@pytest.mark.parametrize("role", list(Role))
def test_cached_policy_is_right_for_every_route(
    service: TokenService, role: Role, first_call: tuple[str, str]
) -> None:
    """Whichever route the policy was made for, it answers every other route as may_call does."""
    secret = service.issue("cached", role).secret
    method, path = first_call
    response = authorize(event(f"Bearer {secret}", method, concrete_path(path)), service)
    policy = response["policyDocument"]
    for other_method, other_path in protected_routes():
        arn = method_arn(STAGE, other_method, concrete_path(other_path))
        expected = may_call(role, other_method, other_path)
        assert policy_allows(policy, arn) == expected, f"{role} {other_method} {other_path}"


@pytest.mark.parametrize("role", list(Role))
def test_policy_allows_no_method_or_path_outside_the_routes(
    service: TokenService, role: Role
) -> None:
    policy = authorize(event(f"Bearer {service.issue('x', role).secret}"), service)[
        "policyDocument"
    ]
    for method, path in [("PATCH", "/inventory"), ("PUT", "/tokens"), ("GET", "/admin")]:
        assert not policy_allows(policy, method_arn(STAGE, method, path))
    assert not policy_allows(policy, method_arn("prod", "GET", "/inventory")), "another stage"


def test_public_routes_need_no_policy() -> None:
    """The authorizer never runs for them, so they are not part of any role's routes."""
    public = [route for route, required in MINIMUM_ROLE.items() if required is PUBLIC]
    assert ("GET", "/health") in public
    assert all(contract_minimum_role(*route) is None for route in public)
    assert not set(public) & set(routes_for(Role.ADMIN))
