"""Every error the OpenAPI document lists for an operation is one its route really answers: each
(operation, code) pair is provoked here, through the gateway emulator and its authorizer, and must
come back with the code's status. A listed error nobody can provoke fails as "no provocation".

The other direction, that no route answers an error it does not list, is checked across every
moto module by conftest's `errors_are_documented`.
"""

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.retries.standard import ExponentialBackoff

from tests.support.api import Api, ApiResult, documented_error_codes
from tests.support.contract_access import concrete_path
from tests.support.fault_injection import THROTTLED, cancelled
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.template import Template
from warehouse_inventory.dal import transactions
from warehouse_inventory.dal.clients import dynamodb_client
from warehouse_inventory.dal.projection_repository import ProjectionRepository
from warehouse_inventory.domain.errors import ERROR_TABLE
from warehouse_inventory.http import query_parameters
from warehouse_inventory.http.request_body import MAX_BODY_BYTES

STATUS = {spec.code: spec.status for spec in ERROR_TABLE.values()}
CASES = sorted(
    (method.upper(), path, code)
    for (method, path), codes in documented_error_codes().items()
    for code in codes
)
STOCK_LOCATION = "A-01"


def valid_body(method: str, path: str, sku: str) -> dict[str, Any] | None:
    """A body the route accepts for `sku` (which has 100 at A-01); None for a route without."""
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/inventory/restock"): {"sku": sku, "quantity": 1, "location_code": "A-01"},
        ("POST", "/inventory/pick"): {"sku": sku, "quantity": 1, "location_code": "A-01"},
        ("POST", "/inventory/transfer"): {
            "sku": sku,
            "quantity": 1,
            "from_location": "A-01",
            "to_location": "B-01",
        },
        ("POST", "/inventory/adjust"): {
            "sku": sku,
            "location_code": "A-01",
            "counted_quantity": 50,
            "reason": "cycle_count",
        },
        ("POST", "/inventory/movements"): {
            "movements": [
                {"type": "restock", "sku": sku, "quantity": 1, "location_code": "B-01"},
                {"type": "restock", "sku": sku, "quantity": 1, "location_code": "C-01"},
            ]
        },
        ("PUT", "/items/{sku}"): {"name": "Widget"},
        ("POST", "/tokens"): {"name": "route-errors", "role": "viewer"},
    }
    return bodies.get((method, path))


@dataclass
class Case:
    api: Api
    method: str
    path: str
    code: str
    sku: str
    monkeypatch: pytest.MonkeyPatch
    template: Template
    hooks: list[tuple[str, Callable[..., Any]]] = field(default_factory=list)

    def call(self, body: Any = None, *, path: str | None = None, **options: Any) -> ApiResult:
        target = path or concrete_path(self.path.replace("{sku}", self.sku))
        return self.api.call(self.method, target, body, **options)

    def body(self, **changes: Any) -> dict[str, Any] | None:
        body = valid_body(self.method, self.path, self.sku)
        return None if body is None else body | changes

    def on_dynamodb(self, operation: str, handler: Callable[..., Any]) -> None:
        event = f"before-send.dynamodb.{operation}"
        dynamodb_client().meta.events.register(event, handler)
        self.hooks.append((event, handler))


Provocation = Callable[[Case], ApiResult]


def sent(request: AWSPreparedRequest) -> dict[str, Any]:
    body = request.body
    parsed: dict[str, Any] = json.loads(body.decode() if isinstance(body, bytes) else str(body))
    return parsed


def unexpected_exception(case: Case) -> ApiResult:
    def boom(route: Any) -> tuple[str, ...]:
        raise RuntimeError("a bug")

    case.monkeypatch.setattr(query_parameters, "declared_query_parameters", boom)
    return case.call(case.body())


def without_backoff(case: Case) -> None:
    """The SDK's and the transaction loop's waits between attempts are 0 s: the attempts are
    all made (the answer shows they gave up), only not seconds apart."""
    case.monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda *_: 0)
    case.monkeypatch.setattr(transactions, "BACKOFF_BASE_SECONDS", 0)


def throttled_dynamodb(case: Case) -> ApiResult:
    """Every DynamoDB call throttled, but the authorizer's token lookup (else: 500 upstream)."""
    without_backoff(case)

    def throttle(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        call = sent(request)
        if call.get("TableName") == "TokensTable" and "token_hash" in call.get("Key", {}):
            return None
        return THROTTLED(request)

    for operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"):
        case.on_dynamodb(operation, throttle)
    case.on_dynamodb("TransactWriteItems", lambda request, **_: THROTTLED(request))
    return case.call(case.body())


def key_reused(case: Case) -> ApiResult:
    key = [("Idempotency-Key", str(uuid.uuid4()))]
    first = case.call(case.body(), headers=key)
    assert first.status < 300, first.body
    return case.call(changed_quantities(case.body() or {}), headers=key)


def changed_quantities(body: dict[str, Any]) -> dict[str, Any]:
    """The same request with one more of every quantity (in a batch's entries too)."""
    return {
        name: value + 1
        if name in {"quantity", "counted_quantity"}
        else [changed_quantities(entry) for entry in value]
        if name == "movements"
        else value
        for name, value in body.items()
    }


def repeated_while_running(case: Case) -> ApiResult:
    """The same request (same key, same body) arrives while the first is at its stock write."""
    key = [("Idempotency-Key", str(uuid.uuid4()))]
    repeat: list[ApiResult] = []

    def send_repeat(request: AWSPreparedRequest, **_: Any) -> None:
        if repeat or sent(request).get("TableName", "InventoryTable") == "IdempotencyTable":
            return
        worker = threading.Thread(target=lambda: repeat.append(case.call(case.body(), headers=key)))
        worker.start()
        worker.join()

    case.on_dynamodb("UpdateItem", send_repeat)
    case.on_dynamodb("TransactWriteItems", send_repeat)
    first = case.call(case.body(), headers=key)
    assert first.status < 300, first.body
    return repeat[0]


def stale_if_match(case: Case) -> ApiResult:
    if case.path == "/items/{sku}":
        assert case.call(case.body()).status in {200, 201}
    return case.call(case.body(), headers=[("If-Match", '"999"')])


def transaction_always_conflicts(case: Case) -> ApiResult:
    without_backoff(case)
    case.on_dynamodb(
        "TransactWriteItems", lambda request, **_: cancelled("None", "TransactionConflict")(request)
    )
    return case.call(case.body())


def item_refresh_always_loses(case: Case) -> ApiResult:
    """The item's projection refresh (after the master data is written) always finds another
    writer's change meanwhile: after its attempts it gives up as busy."""
    case.monkeypatch.setattr(ProjectionRepository, "_set_item_projection", lambda *_: False)
    return case.call(case.body())


def batch_of(case: Case, entry: dict[str, Any]) -> dict[str, Any]:
    """The route's valid batch with `entry` last, to be refused with its index."""
    body = case.body() or {}
    return {"movements": [*body["movements"], entry]}


GENERIC: dict[str, Provocation] = {
    "validation_error": lambda case: case.call(query="bogus=1"),
    "unauthorized": lambda case: case.call(case.body(), token=None),
    "forbidden": lambda case: case.call(case.body(), token="viewer"),
    "bad_request": lambda case: case.call(raw_body=b'{"sku": '),
    "payload_too_large": lambda case: case.call(raw_body=b" " * (MAX_BODY_BYTES + 1)),
    "unsupported_media_type": lambda case: case.call(
        raw_body=b"sku=X&quantity=1", content_type="application/x-www-form-urlencoded"
    ),
    "invalid_cursor": lambda case: case.call(query="cursor=not-a-cursor"),
    "internal": unexpected_exception,
    "service_unavailable": throttled_dynamodb,
    "idempotency_key_reused": key_reused,
    "request_in_progress": repeated_while_running,
    "precondition_failed": stale_if_match,
}
SPECIFIC: dict[tuple[str, str, str], Provocation] = {
    ("GET", "/inventory/{sku}", "not_found"): lambda case: case.call(path="/inventory/NOSUCH9"),
    ("GET", "/items/{sku}", "not_found"): lambda case: case.call(path="/items/NOSUCH9"),
    ("DELETE", "/items/{sku}", "not_found"): lambda case: case.call(path="/items/NOSUCH9"),
    ("DELETE", "/items/{sku}", "conflict"): lambda case: case.call(),  # it has stock
    ("DELETE", "/tokens/{token_id}", "not_found"): lambda case: case.call(
        path="/tokens/tok_00000000feedface"
    ),
    ("POST", "/inventory/pick", "not_found"): lambda case: case.call(case.body(sku="NOSUCH9")),
    ("POST", "/inventory/pick", "insufficient_stock"): lambda case: case.call(
        case.body(quantity=1000)
    ),
    ("POST", "/inventory/transfer", "not_found"): lambda case: case.call(
        case.body(from_location="Z-99")
    ),
    ("POST", "/inventory/transfer", "insufficient_stock"): lambda case: case.call(
        case.body(quantity=1000)
    ),
    ("POST", "/inventory/transfer", "conflict"): transaction_always_conflicts,
    ("POST", "/inventory/movements", "not_found"): lambda case: case.call(
        batch_of(case, {"type": "pick", "sku": case.sku, "quantity": 1, "location_code": "Z-99"})
    ),
    ("POST", "/inventory/movements", "insufficient_stock"): lambda case: case.call(
        batch_of(case, {"type": "pick", "sku": case.sku, "quantity": 1000, "location_code": "A-01"})
    ),
    ("POST", "/inventory/movements", "precondition_failed"): lambda case: case.call(
        batch_of(
            case,
            {
                "type": "adjust",
                "sku": case.sku,
                "location_code": "A-01",
                "counted_quantity": 5,
                "reason": "cycle_count",
                "expected_version": 999,
            },
        )
    ),
    ("POST", "/inventory/movements", "conflict"): transaction_always_conflicts,
    ("PUT", "/items/{sku}", "conflict"): item_refresh_always_loses,
}


@pytest.fixture
def case(
    api: Api, template: Template, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Any:
    sku = "RE" + uuid.uuid4().hex[:8].upper()
    restock = {"sku": sku, "quantity": 100, "location_code": STOCK_LOCATION}
    assert api.call("POST", "/inventory/restock", restock).status == 201
    method, path, code = request.param
    made = Case(api, method, path, code, sku, monkeypatch, template)
    yield made
    for event, handler in made.hooks:
        dynamodb_client().meta.events.unregister(event, handler)


def test_there_are_cases_for_every_operation() -> None:
    operations = {(method, path) for method, path, _ in CASES}
    assert len(operations) >= 19
    assert ("GET", "/health", "not_found") not in CASES  # listed only where it can happen


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} {c[1]} {c[2]}", indirect=True)
def test_every_listed_error_is_answered(case: Case) -> None:
    method, path, code = case.method, case.path, case.code
    if code == "rate_limited":
        assert_throttling_covers_every_route(case.template)
        return
    provoke = SPECIFIC.get((method, path, code)) or GENERIC.get(code)
    assert provoke is not None, f"no provocation of {code} on {method} {path}: add one here"
    result = provoke(case)
    assert (result.status, (result.body or {}).get("error", {}).get("code")) == (
        STATUS[code],
        code,
    ), result.body


def assert_throttling_covers_every_route(template: Template) -> None:
    """429 is API Gateway's answer (THROTTLED), for every method of every resource."""
    api = template.document["Resources"]["WarehouseApi"]["Properties"]
    settings = api["MethodSettings"]
    assert any(s["ResourcePath"] == "/*" and s["HttpMethod"] == "*" for s in settings)
    throttled = ApiGateway(template).gateway_response("THROTTLED")
    assert throttled.status == 429 and b'"rate_limited"' in throttled.body
