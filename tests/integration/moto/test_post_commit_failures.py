"""Nothing after the commit turns a committed movement into an error: a failure in what follows
the stock write (the item's upkeep, metrics, logging, building the response, saving the key's
response) is logged, and the client gets the success it is owed. With an Idempotency-Key, the
stored response is that success.

Each failure is injected where the handlers look it up; the write itself is real (moto).
"""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.api import Api, ApiResult
from warehouse_inventory import observability
from warehouse_inventory.dal.stock_repository import DynamoDBInventoryRepository
from warehouse_inventory.domain.errors import ServiceUnavailable
from warehouse_inventory.schemas.inventory import InventoryOut
from warehouse_inventory.wiring import inventory_service


class Injected(Exception):
    """The failure a test injects."""


def fail(*_: Any, **__: Any) -> Any:
    raise Injected


def throttled(*_: Any, **__: Any) -> Any:
    raise ServiceUnavailable("DynamoDB is throttling requests.")


def aws_fault(*_: Any, **__: Any) -> Any:
    raise ClientError({"Error": {"Code": "ValidationException", "Message": "x"}}, "UpdateItem")


def logging_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The item's upkeep is throttled, and logging that failure fails too."""
    monkeypatch.setattr(DynamoDBInventoryRepository, "ensure_item", throttled)
    monkeypatch.setattr(observability.logger, "warning", fail)
    monkeypatch.setattr(observability.logger, "exception", fail)


FAILURES: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "ensure-item-error": lambda m: m.setattr(DynamoDBInventoryRepository, "ensure_item", fail),
    "ensure-item-aws-error": lambda m: m.setattr(
        DynamoDBInventoryRepository, "ensure_item", aws_fault
    ),
    "movement-metric": lambda m: m.setattr(observability, "movement_metrics", fail),
    "metrics-flush": lambda m: m.setattr(observability.metrics.provider, "flush_metrics", fail),
    "response-model": lambda m: m.setattr(InventoryOut, "of", fail),
    "logging-of-a-failure": logging_fails,
}


def new_sku() -> str:
    return "PC" + uuid.uuid4().hex[:12].upper()


def restock(api: Api, sku: str, key: str | None) -> ApiResult:
    headers = [("Idempotency-Key", key)] if key else []
    body = {"sku": sku, "quantity": 3, "location_code": "A-1"}
    return api.call("POST", "/inventory/restock", body, token="operator", headers=headers)


def on_hand(sku: str) -> int:
    return inventory_service().sku_stock(sku).total_quantity


@pytest.fixture(params=list(FAILURES))
def failing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    FAILURES[request.param](monkeypatch)
    yield request.param


@pytest.mark.parametrize("keyed", [False, True], ids=["no-key", "key"])
def test_a_failure_after_the_write_still_answers_the_success(
    api: Api, failing: str, keyed: bool
) -> None:
    sku, key = new_sku(), (str(uuid.uuid4()) if keyed else None)

    answer = restock(api, sku, key)

    assert answer.status == 201, answer.body
    assert (answer.body["sku"], answer.body["quantity"], answer.body["version"]) == (sku, 3, 1)
    assert on_hand(sku) == 3
    if keyed:
        replay = restock(api, sku, key)
        assert (replay.status, replay.body) == (201, answer.body)
        assert replay.headers["idempotent-replayed"] == "true"
        assert on_hand(sku) == 3


@pytest.fixture
def store_cannot_save(monkeypatch: pytest.MonkeyPatch) -> None:
    """Powertools cannot save the key's response (its UpdateItem fails) after the movement."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    monkeypatch.setattr(DynamoDBPersistenceLayer, "_update_record", fail)


def test_a_key_whose_response_cannot_be_saved_still_answers_the_success(
    api: Api, store_cannot_save: None
) -> None:
    """The key's record stays in progress (a repeat meanwhile is 409); once it expires, the
    repeat runs again and the stock write refuses it (docs/idempotency.md)."""
    sku, key = new_sku(), str(uuid.uuid4())

    answer = restock(api, sku, key)
    during = restock(api, sku, key)

    assert answer.status == 201, answer.body
    assert answer.body["quantity"] == 3
    assert (during.status, during.body["error"]["code"]) == (409, "request_in_progress")
    assert on_hand(sku) == 3
