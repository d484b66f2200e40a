"""CORS from ALLOWED_ORIGINS only, the 64 KiB body limit, input length caps, and API Gateway's own
answers (401/403/413/429) in the contract's error format."""

import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api, ApiResult
from tests.support.contract_access import concrete_path
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.lambda_runtime import _load_locked
from warehouse_devstack.template import Template, load_template
from warehouse_inventory.domain.access import Role
from warehouse_inventory.http.request_body import MAX_BODY_BYTES
from warehouse_inventory.wiring import forget_services

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

OPS = "https://ops.example.com"
SECOND = "https://b.example.com"
ORIGINS = f"{OPS},{SECOND}"
FOREIGN = ["https://evil.example.com", "http://ops.example.com", "https://ops.example.com.evil.io"]
PREFLIGHT_PATHS = sorted(
    {
        route.path
        for spec in load_template().functions()
        for route in spec.routes
        if route.method == "OPTIONS"
    }
)
ROUTE_METHOD = {
    route.path: route.method
    for spec in load_template().functions()
    for route in spec.routes
    if route.method != "OPTIONS"
}


def rebuild_functions() -> None:
    """Handlers read ALLOWED_ORIGINS when imported: drop them and the cached settings."""
    _load_locked.cache_clear()
    forget_services()


@pytest.fixture(scope="module")
def cors_template() -> Template:
    return Template(parameter_overrides={"AllowedOrigins": ORIGINS})


@pytest.fixture(scope="module")
def gateway(dynamodb: "DynamoDBClient", cors_template: Template) -> Iterator[ApiGateway]:
    """The gateway of a stack deployed with two allowed origins (this module only)."""
    saved = os.environ.get("ALLOWED_ORIGINS")
    os.environ["ALLOWED_ORIGINS"] = ORIGINS
    rebuild_functions()
    try:
        yield ApiGateway(cors_template)
    finally:
        if saved is None:
            os.environ.pop("ALLOWED_ORIGINS", None)
        else:
            os.environ["ALLOWED_ORIGINS"] = saved
        rebuild_functions()


@pytest.fixture(scope="module")
def api(gateway: ApiGateway, role_tokens: dict[Role, str]) -> Api:
    return Api(gateway, role_tokens)


def assert_contract_error(result: ApiResult, status: int, code: str) -> None:
    assert result.status == status
    assert result.headers["content-type"] == "application/json"
    assert set(result.body) == {"error", "request_id"}
    assert set(result.body["error"]) == {"code", "message", "details"}
    assert result.body["error"]["code"] == code
    assert result.body["request_id"] == result.headers["x-request-id"]


def assert_no_credentials_or_wildcard(result: ApiResult) -> None:
    assert result.headers.get("access-control-allow-origin") != "*"
    assert result.headers.get("access-control-allow-credentials", "false").lower() != "true"


def preflight(gateway: ApiGateway, path: str, origin: str, request_headers: str) -> ApiResult:
    """A browser's CORS preflight: no token, and a body that need not be JSON."""
    headers = [
        ("Origin", origin),
        ("Access-Control-Request-Method", ROUTE_METHOD[path]),
        ("Access-Control-Request-Headers", request_headers),
    ]
    response = gateway.dispatch("OPTIONS", concrete_path(path), "", headers, b"")
    lowered = {name.lower(): value for name, value in response.headers}
    is_json = lowered.get("content-type", "").startswith("application/json")
    return ApiResult(response.status, lowered, json.loads(response.body) if is_json else None)


# --- CORS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", [OPS, SECOND])
def test_allowed_origin_is_echoed_on_a_response(api: Api, origin: str) -> None:
    result = api.call("GET", "/inventory", token="viewer", headers=[("Origin", origin)])

    assert result.status == 200
    assert result.headers["access-control-allow-origin"] == origin
    assert "origin" in result.headers.get("vary", "").lower()  # caches keep origins apart
    assert_no_credentials_or_wildcard(result)


def test_allowed_origin_is_echoed_on_an_error(api: Api) -> None:
    result = api.call("GET", "/inventory/NOSUCHSKU1", token="viewer", headers=[("Origin", SECOND)])

    assert_contract_error(result, 404, "not_found")
    assert result.headers["access-control-allow-origin"] == SECOND
    assert_no_credentials_or_wildcard(result)


@pytest.mark.parametrize("origin", FOREIGN)
def test_other_origin_gets_no_allow_origin(api: Api, origin: str) -> None:
    result = api.call("GET", "/inventory", token="viewer", headers=[("Origin", origin)])

    assert result.status == 200
    assert "access-control-allow-origin" not in result.headers
    assert_no_credentials_or_wildcard(result)


@pytest.mark.parametrize("path", PREFLIGHT_PATHS)
def test_preflight_from_allowed_origin_needs_no_token(gateway: ApiGateway, path: str) -> None:
    result = preflight(gateway, path, OPS, "authorization,content-type")

    assert result.status == 200
    assert result.headers["access-control-allow-origin"] == OPS
    allowed_methods = result.headers["access-control-allow-methods"].upper()
    assert ROUTE_METHOD[path] in allowed_methods
    allowed_headers = result.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type"} <= {h.strip() for h in allowed_headers.split(",")}
    assert_no_credentials_or_wildcard(result)


@pytest.mark.parametrize("origin", FOREIGN)
def test_preflight_from_other_origin_is_refused(gateway: ApiGateway, origin: str) -> None:
    result = preflight(gateway, "/inventory/restock", origin, "authorization,content-type")

    assert "access-control-allow-origin" not in result.headers
    assert_contract_error(result, 400, "bad_request")


def test_preflight_asking_for_an_unlisted_header_is_refused(gateway: ApiGateway) -> None:
    result = preflight(gateway, "/inventory/restock", OPS, "authorization,x-forwarded-role")

    assert_contract_error(result, 400, "bad_request")


def test_gateways_own_401_names_the_first_origin_only(api: Api) -> None:
    """API Gateway's responses carry one static origin (template.yaml), never `*`."""
    result = api.call("GET", "/inventory", token=None, headers=[("Origin", SECOND)])

    assert_contract_error(result, 401, "unauthorized")
    assert result.headers["access-control-allow-origin"] == OPS
    assert_no_credentials_or_wildcard(result)


# --- body and input limits ------------------------------------------------------------------


def restock_body(size: int) -> bytes:
    """A restock whose `reference` pads the JSON to exactly `size` bytes."""
    head, tail = b'{"sku": "LIMIT1", "quantity": 1, "reference": "', b'"}'
    body = head + b"R" * (size - len(head) - len(tail)) + tail
    assert len(body) == size
    return body


@pytest.mark.parametrize("size", [MAX_BODY_BYTES + 1, 1024 * 1024])
@pytest.mark.parametrize("path", ["/inventory/restock", "/tokens"])
def test_body_over_64_kib_is_413(api: Api, path: str, size: int) -> None:
    result = api.call("POST", path, raw_body=restock_body(size))

    assert_contract_error(result, 413, "payload_too_large")
    assert result.body["error"]["details"] is None
    assert api.call("GET", "/inventory/LIMIT1").status == 404  # nothing was written


def test_body_of_exactly_64_kib_is_read(api: Api) -> None:
    assert MAX_BODY_BYTES == 64 * 1024
    result = api.call("POST", "/inventory/restock", raw_body=restock_body(MAX_BODY_BYTES))

    assert_contract_error(result, 422, "validation_error")  # read, then refused: reference cap
    assert [detail["field"] for detail in result.body["error"]["details"]] == ["reference"]


@pytest.mark.parametrize(
    ("query", "status"),
    [("limit=101", 422), ("limit=0", 422), ("limit=100", 200), ("cursor=" + "c" * 2049, 422)],
)
def test_list_parameters_are_capped(api: Api, query: str, status: int) -> None:
    assert api.call("GET", "/inventory", query=query, token="viewer").status == status


SKU_20 = "S" * 19 + "1"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"sku": SKU_20 + "2"}, 422),
        ({"sku": SKU_20}, 201),
        ({"reference": "r" * 101}, 422),
        ({"reference": "r" * 100}, 201),
        ({"location_code": "L" * 11}, 422),
    ],
)
def test_string_fields_are_capped(api: Api, change: dict[str, Any], status: int) -> None:
    body = {"sku": "CAPS1", "quantity": 1, "location_code": "CAP-1"} | change
    result = api.call("POST", "/inventory/restock", body, token="operator")

    assert result.status == status, result.body
    if status == 422:
        assert [detail["field"] for detail in result.body["error"]["details"]] == list(change)


def test_sku_in_the_path_is_capped(api: Api) -> None:
    result = api.call("GET", f"/inventory/{SKU_20}2", token="viewer")
    assert_contract_error(result, 422, "validation_error")


# --- API Gateway's own answers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("UNAUTHORIZED", 401, "unauthorized"),
        ("ACCESS_DENIED", 403, "forbidden"),
        ("REQUEST_TOO_LARGE", 413, "payload_too_large"),
        ("THROTTLED", 429, "rate_limited"),
    ],
)
def test_gateway_response_is_a_contract_error(
    template: Template, kind: str, status: int, code: str
) -> None:
    response = template.gateway_responses()[kind]
    body: dict[str, Any] = json.loads(response.body_template)

    assert response.status == status
    assert set(body) == {"error", "request_id"}
    assert body["request_id"] == "$context.requestId"
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["details"] is None


def test_throttled_answer_as_the_emulator_renders_it(cors_template: Template) -> None:
    response = ApiGateway(cors_template).gateway_response("THROTTLED")
    headers = {name.lower(): value for name, value in response.headers}
    body = json.loads(response.body)

    assert response.status == 429
    assert body["error"]["code"] == "rate_limited"
    assert body["request_id"] == headers["x-amzn-requestid"] == headers["x-request-id"]
    assert headers["retry-after"] == "1"
    assert headers["access-control-allow-origin"] == OPS


def test_throttling_limits_are_template_parameters(template: Template) -> None:
    (api,) = template.resources_of_type("AWS::Serverless::Api").values()
    (settings,) = api["Properties"]["MethodSettings"]
    parameters = template.document["Parameters"]

    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    for name in ["ThrottlingRateLimit", "ThrottlingBurstLimit"]:
        assert settings[name] == {"Ref": name}
        assert parameters[name]["Type"] == "Number"
        assert parameters[name]["MinValue"] >= 1
        assert int(parameters[name]["Default"]) >= 1
