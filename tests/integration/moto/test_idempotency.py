"""Idempotency-Key on movements: one movement per key, replays answer the first response."""

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api, ApiResult, all_items
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.stock import StockLevel
from warehouse_inventory.wiring import inventory_service, token_service

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def new_sku() -> str:
    return "K" + uuid.uuid4().hex[:12].upper()


def post(api: Api, path: str, body: dict[str, Any], key: str) -> ApiResult:
    return api.call("POST", path, body, headers=[("Idempotency-Key", key)])


def stock_versions(dynamodb: "DynamoDBClient", sku: str) -> dict[str, int]:
    return {
        item["sk"]["S"]: int(item["version"]["N"])
        for item in all_items(dynamodb)
        if item["pk"]["S"] == f"SKU#{sku}" and item["sk"]["S"].startswith("STOCK#")
    }


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/inventory/restock", {"quantity": 5, "location_code": "A-1"}, 201),
        ("/inventory/pick", {"quantity": 1, "location_code": "A-1"}, 200),
        ("/inventory/transfer", {"quantity": 1, "from_location": "A-1", "to_location": "B-2"}, 200),
        (
            "/inventory/adjust",
            {"counted_quantity": 3, "location_code": "A-1", "reason": "cycle_count"},
            200,
        ),
    ],
)
def test_same_key_twice_is_one_movement_and_the_same_answer(
    api: Api, dynamodb: "DynamoDBClient", path: str, body: dict[str, Any], status: int
) -> None:
    sku, key = new_sku(), str(uuid.uuid4())
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 10, "location_code": "A-1"})
    first = post(api, path, {"sku": sku} | body, key)
    versions = stock_versions(dynamodb, sku)
    second = post(api, path, {"sku": sku} | body, key)
    assert (first.status, second.status) == (status, status)
    assert second.body == first.body
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert stock_versions(dynamodb, sku) == versions  # the replay changed nothing


def test_same_key_with_another_body_is_422(api: Api, dynamodb: "DynamoDBClient") -> None:
    sku, key = new_sku(), str(uuid.uuid4())
    post(api, "/inventory/restock", {"sku": sku, "quantity": 1}, key)
    before = all_items(dynamodb)
    result = post(api, "/inventory/restock", {"sku": sku, "quantity": 2}, key)
    assert (result.status, result.body["error"]["code"]) == (422, "idempotency_key_reused")
    assert all_items(dynamodb) == before


def test_key_is_scoped_to_the_route(api: Api) -> None:
    sku, key = new_sku(), str(uuid.uuid4())
    post(api, "/inventory/restock", {"sku": sku, "quantity": 3, "location_code": "A-1"}, key)
    pick = post(api, "/inventory/pick", {"sku": sku, "quantity": 1, "location_code": "A-1"}, key)
    assert (pick.status, pick.body["quantity"]) == (200, 2)
    assert "idempotent-replayed" not in pick.headers


def test_a_failed_request_is_not_cached(api: Api) -> None:
    sku, key = new_sku(), str(uuid.uuid4())
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 1, "location_code": "A-1"})
    body = {"sku": sku, "quantity": 2, "location_code": "A-1"}
    assert post(api, "/inventory/pick", body, key).status == 409
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 5, "location_code": "A-1"})
    retry = post(api, "/inventory/pick", body, key)
    assert (retry.status, retry.body["quantity"]) == (200, 4)
    assert "idempotent-replayed" not in retry.headers


@dataclass
class Repeat:
    """The request to send again while the first one is still running, and its answer."""

    body: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    answer: ApiResult | None = None


@pytest.fixture
def repeat_during_pick(api: Api) -> Iterator[Repeat]:
    """While a pick runs, the same request arrives again (a client retrying on a timeout)."""
    service = inventory_service()
    original = service.pick
    repeat = Repeat()

    def pick_while_repeating(*args: Any, **kwargs: Any) -> StockLevel:
        if repeat.answer is None:  # another container, so another thread and event loop
            worker = threading.Thread(target=send_repeat)
            worker.start()
            worker.join()
        return original(*args, **kwargs)

    def send_repeat() -> None:
        repeat.answer = post(api, "/inventory/pick", repeat.body, repeat.key)

    service.pick = pick_while_repeating  # type: ignore[method-assign]
    yield repeat
    del service.pick


def test_concurrent_duplicate_is_409_in_progress(api: Api, repeat_during_pick: Repeat) -> None:
    sku = new_sku()
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 5, "location_code": "A-1"})
    repeat_during_pick.body = {"sku": sku, "quantity": 1, "location_code": "A-1"}
    repeat_during_pick.key = str(uuid.uuid4())
    first = post(api, "/inventory/pick", repeat_during_pick.body, repeat_during_pick.key)
    duplicate = repeat_during_pick.answer
    assert (first.status, first.body["quantity"]) == (200, 4)
    assert duplicate is not None
    assert (duplicate.status, duplicate.body["error"]["code"]) == (409, "request_in_progress")


@pytest.mark.parametrize("key", ["", "k" * 65, "bad key"])
def test_malformed_key_is_422(api: Api, key: str) -> None:
    result = post(api, "/inventory/restock", {"sku": new_sku(), "quantity": 1}, key)
    assert (result.status, result.body["error"]["code"]) == (422, "validation_error")


def test_another_caller_s_key_is_another_request(api: Api, dynamodb: "DynamoDBClient") -> None:
    """Operator B sending operator A's key and body gets its own movement, never A's answer."""
    sku, key = new_sku(), str(uuid.uuid4())
    body = {"sku": sku, "quantity": 5, "location_code": "A-1"}
    other = token_service().issue("other-operator", Role.OPERATOR).secret

    first = api.call(
        "POST", "/inventory/restock", body, token="operator", headers=[("Idempotency-Key", key)]
    )
    second = api.call(
        "POST", "/inventory/restock", body, token=other, headers=[("Idempotency-Key", key)]
    )

    assert (first.status, second.status) == (201, 201)
    assert "idempotent-replayed" not in second.headers
    assert (first.body["quantity"], second.body["quantity"]) == (5, 10)
    assert stock_versions(dynamodb, sku) == {"STOCK#A-1": 2}


def test_the_same_key_and_body_with_another_if_match_is_422(
    api: Api, dynamodb: "DynamoDBClient"
) -> None:
    sku, key = new_sku(), str(uuid.uuid4())
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 10, "location_code": "A-1"})
    body = {"sku": sku, "counted_quantity": 3, "location_code": "A-1", "reason": "cycle_count"}

    def adjust(version: str) -> ApiResult:
        headers = [("Idempotency-Key", key), ("If-Match", version)]
        return api.call("POST", "/inventory/adjust", body, headers=headers)

    first = adjust('"1"')
    versions = stock_versions(dynamodb, sku)
    again, other = adjust('"1"'), adjust('"2"')

    assert (first.status, again.status) == (200, 200)
    assert again.headers["idempotent-replayed"] == "true"
    assert (other.status, other.body["error"]["code"]) == (422, "idempotency_key_reused")
    assert stock_versions(dynamodb, sku) == versions
