"""Every integer a client sends, at and past DynamoDB's limits (a number holds 38 digits) and the
contract's (versions ≤ 2^53 - 1), through the API on DynamoDB Local: the answer is a 2xx or a
4xx in the contract's error format, never a 500, and a 4xx writes nothing.

moto does not check numbers' size, so this runs against Amazon's emulator.
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.api import Api, ApiResult
from tests.support.dynamodb_local import LocalDynamo
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.template import Template
from warehouse_inventory.dal import keys
from warehouse_inventory.domain.access import Role
from warehouse_inventory.wiring import token_service

pytestmark = pytest.mark.dynamodb_local

A, B = "A-1", "B-2"
MAX_VERSION = 2**53 - 1
EDGES = [
    0,
    1,
    -1,
    10**6,
    10**6 + 1,
    10**9,
    10**9 + 1,
    MAX_VERSION,
    MAX_VERSION + 1,
    2**63,
    2**64,
    10**38 - 1,
    10**38,
    10**39,
    -(10**39),
    10**100,
]
numbers = st.one_of(
    st.sampled_from(EDGES),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
)


@dataclass(frozen=True)
class Field:
    """Where a route takes a number: `send(api, sku, value)` sends one request with it."""

    name: str
    send: Callable[[Api, str, Any], ApiResult]


def post(path: str, body: Callable[[str, Any], dict[str, Any]]) -> Callable[..., ApiResult]:
    def send(api: Api, sku: str, value: Any) -> ApiResult:
        return api.call("POST", path, body(sku, value), token="admin")

    return send


def with_if_match(
    method: str, path: str, body: Callable[[str], Any], quoted: bool = True
) -> Callable[..., ApiResult]:
    """The version in `If-Match`, as an entity tag ("3") or bare (3), which is accepted too."""

    def send(api: Api, sku: str, value: Any) -> ApiResult:
        headers = [("If-Match", f'"{value}"' if quoted else str(value))]
        return api.call(method, path.format(sku=sku), body(sku), token="admin", headers=headers)

    return send


def listing(path: str) -> Callable[..., ApiResult]:
    def send(api: Api, sku: str, value: Any) -> ApiResult:
        return api.call("GET", path, query=f"limit={value}", token="admin")

    return send


def count(sku: str, **fields: Any) -> dict[str, Any]:
    return {"sku": sku, "location_code": A, "reason": "cycle_count", **fields}


FIELDS = [
    Field(
        "restock.quantity",
        post("/inventory/restock", lambda s, v: {"sku": s, "quantity": v, "location_code": A}),
    ),
    Field(
        "pick.quantity",
        post("/inventory/pick", lambda s, v: {"sku": s, "quantity": v, "location_code": A}),
    ),
    Field(
        "transfer.quantity",
        post(
            "/inventory/transfer",
            lambda s, v: {"sku": s, "quantity": v, "from_location": A, "to_location": B},
        ),
    ),
    Field(
        "adjust.counted_quantity",
        post("/inventory/adjust", lambda s, v: count(s, counted_quantity=v)),
    ),
    Field(
        "adjust.expected_version",
        post("/inventory/adjust", lambda s, v: count(s, counted_quantity=7, expected_version=v)),
    ),
    Field(
        "adjust.If-Match",
        with_if_match("POST", "/inventory/adjust", lambda s: count(s, counted_quantity=7)),
    ),
    Field(
        "adjust.If-Match-bare",
        with_if_match("POST", "/inventory/adjust", lambda s: count(s, counted_quantity=7), False),
    ),
    Field(
        "put_item.reorder_point",
        lambda api, sku, v: api.call(
            "PUT", f"/items/{sku}", {"name": "Widget", "reorder_point": v}, token="admin"
        ),
    ),
    Field("put_item.If-Match", with_if_match("PUT", "/items/{sku}", lambda s: {"name": "Widget"})),
    Field(
        "put_item.If-Match-bare",
        with_if_match("PUT", "/items/{sku}", lambda s: {"name": "Widget"}, quoted=False),
    ),
    Field("list_inventory.limit", listing("/inventory")),
    Field("list_items.limit", listing("/items")),
    Field("list_movements.limit", listing("/reports/movements")),
]


@pytest.fixture
def api(template: Template, local_dynamo: LocalDynamo) -> Api:
    secret = token_service().issue("bounds-admin", Role.ADMIN).secret
    return Api(ApiGateway(template), {Role.ADMIN: secret})


def partition(local: LocalDynamo, sku: str) -> list[dict[str, Any]]:
    """The SKU's item and stock records, as they are."""
    return local.client.query(
        TableName=local.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.sku_pk(sku)}},
        ConsistentRead=True,
    )["Items"]


def stocked_sku(api: Api) -> str:
    sku = f"N{uuid.uuid4().hex[:12].upper()}"
    for location in (A, B):
        body = {"sku": sku, "quantity": 50, "location_code": location}
        assert api.call("POST", "/inventory/restock", body, token="admin").status == 201
    return sku


@pytest.mark.parametrize("field", FIELDS, ids=[field.name for field in FIELDS])
def test_no_number_is_a_500_and_a_refused_one_writes_nothing(
    api: Api, local_dynamo: LocalDynamo, field: Field
) -> None:
    sku = stocked_sku(api)

    @settings(
        max_examples=40,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(value=numbers)
    def check(value: Any) -> None:
        before = partition(local_dynamo, sku)
        result = field.send(api, sku, value)
        assert result.status < 500, (value, result.body)
        if result.status >= 400:
            body = result.body
            assert set(body) == {"error", "request_id"}, body
            assert set(body["error"]) == {"code", "message", "details"}
            assert body["request_id"] == result.headers["x-request-id"]
            assert partition(local_dynamo, sku) == before, value

    check()


@pytest.mark.parametrize("version", [MAX_VERSION + 1, 10**37, 10**38])
@pytest.mark.parametrize("where", ["body", "If-Match", "If-Match-bare"])
def test_a_version_past_2_53_is_a_validation_error(
    api: Api, local_dynamo: LocalDynamo, version: int, where: str
) -> None:
    sku = stocked_sku(api)
    field = {"body": FIELDS[4], "If-Match": FIELDS[5], "If-Match-bare": FIELDS[6]}[where]

    result = field.send(api, sku, version)

    assert (result.status, result.body["error"]["code"]) == (422, "validation_error")
    detail = result.body["error"]["details"][0]
    assert detail["field"] == ("expected_version" if where == "body" else "If-Match")
    assert json.dumps(detail)  # a plain JSON object
