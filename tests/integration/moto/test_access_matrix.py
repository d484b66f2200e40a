"""Every route of template.yaml against every kind of caller, through the gateway emulator and the
real authorizer: 401 without a live token, 403 below the route's minimum role, else the route's
own answer. The functions refuse the same callers again on their own (defence in depth)."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.contract_access import api_routes, concrete_path, contract_minimum_role
from warehouse_devstack.gateway.rest_api import ApiGateway, build_event
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import Template, load_template
from warehouse_inventory.domain.access import MINIMUM_ROLE, PUBLIC, Role

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ROUTES = [(route.method, route.path) for route in api_routes(load_template())]
ROUTE_IDS = [f"{method} {path}" for method, path in ROUTES]

NO_TOKEN = "no token"
UNKNOWN = "unknown token"
REVOKED = "revoked token"
MALFORMED = {
    "basic scheme": "Basic dXNlcjpwYXNzd29yZA==",
    "bearer without secret": "Bearer",
    "oversized secret": "Bearer " + "x" * 201,
    "live secret without scheme": "{admin}",
    "live secret under another scheme": "Token {admin}",
}
CALLERS = [NO_TOKEN, *MALFORMED, UNKNOWN, REVOKED, *(str(role) for role in Role)]
REFUSED = {NO_TOKEN, *MALFORMED, UNKNOWN, REVOKED}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


@pytest.fixture(scope="module")
def gateway(template: Template, dynamodb: "DynamoDBClient") -> ApiGateway:
    return ApiGateway(template)


@pytest.fixture(scope="module")
def revoked_secret(gateway: ApiGateway, role_tokens: dict[Role, str]) -> str:
    """An admin token issued and then revoked through the API itself."""
    admin = [("Authorization", f"Bearer {role_tokens[Role.ADMIN]}")]
    issued = send(gateway, "POST", "/tokens", admin, {"name": "matrix-revoked", "role": "admin"})
    assert issued.status == 201
    revoked = send(gateway, "DELETE", f"/tokens/{issued.body['token_id']}", admin)
    assert revoked.status == 204
    secret: str = issued.body["token"]
    return secret


def send(
    gateway: ApiGateway,
    method: str,
    path: str,
    headers: list[tuple[str, str]],
    body: Any = None,
) -> Answer:
    data = b"" if body is None else json.dumps(body).encode()
    sent = headers + ([("Content-Type", "application/json")] if data else [])
    response = gateway.dispatch(method, path, "", sent, data)
    lowered = {name.lower(): value for name, value in response.headers}
    is_json = lowered.get("content-type", "").startswith("application/json")
    payload = json.loads(response.body) if is_json and response.body else response.body
    return Answer(response.status, lowered, payload)


def authorization(caller: str, tokens: dict[Role, str], revoked: str) -> list[tuple[str, str]]:
    if caller == NO_TOKEN:
        return []
    if caller in MALFORMED:
        return [("Authorization", MALFORMED[caller].format(admin=tokens[Role.ADMIN]))]
    secret = {UNKNOWN: "wh_" + "A" * 43, REVOKED: revoked}.get(caller) or tokens[Role(caller)]
    return [("Authorization", f"Bearer {secret}")]


def assert_contract_error(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status
    assert answer.headers["content-type"] == "application/json"
    assert set(answer.body) == {"error", "request_id"}
    assert set(answer.body["error"]) == {"code", "message", "details"}
    assert answer.body["error"]["code"] == code
    assert answer.body["error"]["details"] is None
    assert isinstance(answer.body["error"]["message"], str) and answer.body["error"]["message"]
    assert answer.body["request_id"] == answer.headers["x-request-id"]


def required_role(method: str, path: str) -> Role | None:
    if (method, path) not in MINIMUM_ROLE:
        pytest.fail(f"{method} {path} is in template.yaml but not in access.MINIMUM_ROLE")
    return MINIMUM_ROLE[(method, path)]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_route_answers_each_caller_by_its_minimum_role(
    gateway: ApiGateway,
    role_tokens: dict[Role, str],
    revoked_secret: str,
    method: str,
    path: str,
    caller: str,
) -> None:
    required = required_role(method, path)
    headers = authorization(caller, role_tokens, revoked_secret)

    answer = send(gateway, method, concrete_path(path), headers)

    if required is PUBLIC:
        assert answer.status == 200, "a public route answers whatever the Authorization header"
    elif caller in REFUSED:
        assert_contract_error(answer, 401, "unauthorized")
    elif Role(caller).includes(required):
        assert answer.status not in (401, 403), answer.body
        assert answer.status < 500, answer.body
    else:
        assert_contract_error(answer, 403, "forbidden")


KNOWN_ROUTES = sorted(set(ROUTES) | set(MINIMUM_ROLE), key=lambda route: (route[1], route[0]))


@pytest.mark.parametrize(
    ("method", "path"), KNOWN_ROUTES, ids=[f"{m} {p}" for m, p in KNOWN_ROUTES]
)
def test_minimum_role_is_the_contracts(method: str, path: str) -> None:
    """Checked against the contract's own wording, so a wrong MINIMUM_ROLE entry fails."""
    assert required_role(method, path) == contract_minimum_role(method, path)


def test_contract_role_table_matches_the_known_routes() -> None:
    """The independent table, spelled out for the routes the contract names today."""
    expected = {
        ("GET", "/health"): None,
        ("GET", "/inventory"): Role.VIEWER,
        ("GET", "/inventory/{sku}"): Role.VIEWER,
        ("POST", "/inventory/restock"): Role.OPERATOR,
        ("POST", "/tokens"): Role.ADMIN,
        ("GET", "/tokens"): Role.ADMIN,
        ("DELETE", "/tokens/{token_id}"): Role.ADMIN,
    }
    assert {route: contract_minimum_role(*route) for route in expected} == expected
    assert {route: MINIMUM_ROLE[route] for route in expected} == expected


PROTECTED = [route for route in ROUTES if MINIMUM_ROLE.get(route) is not PUBLIC]


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_function_refuses_a_call_that_bypassed_the_authorizer(
    gateway: ApiGateway, method: str, path: str
) -> None:
    """An event without authorizer context (a misconfigured API) is 401 from the function."""
    answer = invoke_directly(gateway, method, concrete_path(path), authorizer=None)
    assert_contract_error(answer, 401, "unauthorized")


BELOW = [
    (method, path, str(role))
    for method, path in PROTECTED
    for role in Role
    if (required := MINIMUM_ROLE.get((method, path))) is not None and not role.includes(required)
] + [(method, path, "superuser") for method, path in PROTECTED]


@pytest.mark.parametrize(("method", "path", "role"), BELOW, ids=[" ".join(c) for c in BELOW])
def test_function_refuses_a_role_below_the_route(
    gateway: ApiGateway, method: str, path: str, role: str
) -> None:
    """Even if the gateway let it through, the function checks the role (unknown ones too)."""
    context = {"token_id": "tok_1", "name": "sneaky", "role": role, "principalId": "tok_1"}
    answer = invoke_directly(gateway, method, concrete_path(path), authorizer=context)
    assert_contract_error(answer, 403, "forbidden")


def invoke_directly(
    gateway: ApiGateway, method: str, path: str, authorizer: dict[str, Any] | None
) -> Answer:
    matched = gateway.match(method, path)
    assert matched is not None
    route, parameters = matched
    event = build_event(route, path, parameters, [], [], b"", authorizer=authorizer)
    result = invoke(route.function, event)
    headers = {name.lower(): str(value) for name, value in (result.get("headers") or {}).items()}
    return Answer(result["statusCode"], headers, json.loads(result["body"]))
