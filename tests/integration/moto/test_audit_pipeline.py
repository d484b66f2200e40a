"""The relay and the audit consumer on moto: mapping, batching, partial failures, duplicates."""

import json
import logging
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import EndpointConnectionError

from tests.support.api import Api
from tests.support.audit_pipeline import drain, stock_image, stream_record
from tests.support.lambda_events import sqs_record
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import Template
from warehouse_inventory.dal.audit_queue import movement_from_change
from warehouse_inventory.dal.clients import sqs_client
from warehouse_inventory.schemas.movements import MovementMessage
from warehouse_inventory.wiring import audit_repository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def movement(sku: str, version: int, quantity: int = 1) -> MovementMessage:
    old = stock_image(sku, quantity - 1, version - 1) if version > 1 else None
    return movement_from_change(stock_image(sku, quantity, version), old)


@pytest.fixture
def relay(template: Template) -> Any:
    return lambda event: invoke(template.function("StreamRelayFunction"), event)


@pytest.fixture
def consume(template: Template) -> Any:
    return lambda records: invoke(template.function("AuditConsumerFunction"), {"Records": records})


@pytest.fixture(autouse=True)
def empty_queue(dynamodb: "DynamoDBClient") -> Iterator[None]:
    drain()
    yield
    drain()


def test_each_stock_change_becomes_one_message_with_its_delta(relay: Any) -> None:
    sku = "REL" + uuid.uuid4().hex[:6].upper()
    item = {"pk": {"S": f"SKU#{sku}"}, "sk": {"S": "ITEM"}, "name": {"S": sku}}
    records = [
        stream_record(1, "INSERT", stock_image(sku, 5, 1), None),
        stream_record(2, "MODIFY", stock_image(sku, 2, 2, "pick"), stock_image(sku, 5, 1)),
        {
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": {"pk": item["pk"], "sk": item["sk"]},
                "NewImage": item,
                "SequenceNumber": "3",
            },
        },
        {
            "eventName": "REMOVE",
            "dynamodb": {
                "Keys": {"pk": item["pk"], "sk": {"S": "STOCK#A-1"}},
                "SequenceNumber": "4",
            },
        },
    ]
    assert relay({"Records": records}) == {"batchItemFailures": []}
    bodies = sorted((json.loads(m["Body"]) for m in drain()), key=lambda b: b["version"])
    assert [(b["type"], b["delta"], b["quantity_after"], b["movement_id"]) for b in bodies] == [
        ("restock", 5, 5, f"{sku}@A-1#1"),
        ("pick", -3, 2, f"{sku}@A-1#2"),
    ]


def test_batches_of_more_than_ten_are_all_sent(relay: Any) -> None:
    sku = "BIG" + uuid.uuid4().hex[:6].upper()
    records = [
        stream_record(v, "MODIFY", stock_image(sku, v, v), stock_image(sku, v - 1, v - 1))
        for v in range(2, 27)
    ]
    assert relay({"Records": records}) == {"batchItemFailures": []}
    assert len(drain()) == 25


def test_a_failed_send_reports_the_first_unsent_record(relay: Any) -> None:
    """Stream semantics: Lambda retries from that record; everything before it was sent."""
    sku = "ERR" + uuid.uuid4().hex[:6].upper()
    records = [
        stream_record(v, "MODIFY", stock_image(sku, v, v), stock_image(sku, v - 1, v - 1))
        for v in range(2, 27)
    ]
    calls = {"n": 0}

    def fail_after_first_batch(**_: Any) -> None:
        """The network goes down after one batch, for every retry the SDK makes."""
        calls["n"] += 1
        if calls["n"] > 1:
            raise EndpointConnectionError(endpoint_url="https://sqs.us-east-1.amazonaws.com")

    events = sqs_client().meta.events
    events.register("before-send.sqs.SendMessageBatch", fail_after_first_batch)
    try:
        response = relay({"Records": records})
    finally:
        events.unregister("before-send.sqs.SendMessageBatch", fail_after_first_batch)
    assert response == {"batchItemFailures": [{"itemIdentifier": "12"}]}  # 11th record, v=12
    assert len(drain()) == 10


def test_poison_message_fails_alone(consume: Any) -> None:
    sku = "POI" + uuid.uuid4().hex[:6].upper()
    good = [sqs_record(movement(sku, v).model_dump_json()) for v in (1, 2)]
    poison = sqs_record('{"movement_id": "not a movement"}')
    response = consume([good[0], poison, good[1]])
    assert response == {"batchItemFailures": [{"itemIdentifier": poison["messageId"]}]}
    assert audit_repository().exists(f"{sku}@A-1#1") and audit_repository().exists(f"{sku}@A-1#2")


def test_the_same_batch_twice_writes_one_row_per_movement(consume: Any, api: Api) -> None:
    sku = "DUP" + uuid.uuid4().hex[:6].upper()
    records = [sqs_record(movement(sku, v).model_dump_json()) for v in (1, 2, 3)]
    assert consume(records) == {"batchItemFailures": []}
    assert consume(records) == {"batchItemFailures": []}
    page = api.call("GET", "/reports/movements", query=f"sku={sku}", token="viewer")
    assert [item["movement_id"] for item in page.body["items"]].count(f"{sku}@A-1#2") == 1
    assert len(page.body["items"]) == 3


def test_a_missing_version_is_reported_without_blocking(
    consume: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sku = "GAP" + uuid.uuid4().hex[:6].upper()
    records = [sqs_record(movement(sku, v).model_dump_json()) for v in (1, 3)]
    with caplog.at_level(logging.WARNING):
        assert consume(records) == {"batchItemFailures": []}
    gaps = [r for r in caplog.records if "audit gap" in r.getMessage()]
    assert len(gaps) == 1
    assert getattr(gaps[0], "missing", None) == f"{sku}@A-1#2"
    assert audit_repository().exists(f"{sku}@A-1#3")


def test_movements_report_newest_first_with_pages_and_filters(consume: Any, api: Api) -> None:
    sku = "RPT" + uuid.uuid4().hex[:6].upper()
    consume([sqs_record(movement(sku, v).model_dump_json()) for v in range(1, 6)])
    seen, cursor = [], None
    while True:
        query = f"sku={sku}&location_code=A-1&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", "/reports/movements", query=query, token="viewer")
        assert page.status == 200, page.body
        seen += [item["movement_id"] for item in page.body["items"]]
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"{sku}@A-1#{v}" for v in (5, 4, 3, 2, 1)]
    other = api.call(
        "GET",
        "/reports/movements",
        query="sku=OTHER1&limit=2&cursor=" + (page.body["next_cursor"] or "x"),
    )
    assert other.status == 400


def test_both_legs_of_a_transfer_carry_its_transfer_id_to_the_report(
    relay: Any, consume: Any, api: Api, dynamodb: "DynamoDBClient"
) -> None:
    """API -> stock record -> stream record -> relay message -> audit row -> report."""
    sku = "TRF" + uuid.uuid4().hex[:6].upper()
    stock_key = {"pk": {"S": f"SKU#{sku}"}, "sk": {"S": "STOCK#A-1"}}

    def image(location: str) -> dict[str, Any]:
        key = stock_key | {"sk": {"S": f"STOCK#{location}"}}
        return dynamodb.get_item(TableName="InventoryTable", Key=key)["Item"]

    restock = {"sku": sku, "quantity": 10, "location_code": "A-1"}
    assert api.call("POST", "/inventory/restock", restock).status == 201
    restocked = image("A-1")
    transfer = {"sku": sku, "quantity": 4, "from_location": "A-1", "to_location": "B-2"}
    assert api.call("POST", "/inventory/transfer", transfer).status == 200
    records = [
        stream_record(1, "INSERT", restocked, None),
        stream_record(2, "MODIFY", image("A-1"), restocked),
        stream_record(3, "INSERT", image("B-2"), None),
    ]
    assert relay({"Records": records}) == {"batchItemFailures": []}
    messages = drain()
    assert sorted(json.loads(m["Body"]).get("transfer_id") is None for m in messages) == [
        False,
        False,
        True,
    ]
    assert consume([sqs_record(m["Body"]) for m in messages]) == {"batchItemFailures": []}
    page = api.call("GET", "/reports/movements", query=f"sku={sku}", token="viewer")
    by_type = {row["type"]: row["transfer_id"] for row in page.body["items"]}
    assert by_type["restock"] is None
    assert by_type["transfer_out"] == by_type["transfer_in"]
    assert str(by_type["transfer_out"]).startswith("trf_")
