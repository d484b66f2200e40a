"""Principle 4 against Amazon's DynamoDB Local: concurrent restocks are atomic, each is one write
that carries its own movement, and the stream (the outbox) holds exactly one record per change.
"""

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config

from tests.integration.dynamodb_local.conftest import LocalDynamo
from warehouse_inventory import dynamodb_keys as keys
from warehouse_inventory.cursor import CursorCodec
from warehouse_inventory.dynamodb_stock_repository import DynamoDBInventoryRepository
from warehouse_inventory.dynamodb_support import from_item
from warehouse_inventory.inventory_service import InventoryService
from warehouse_inventory.models import RestockIn
from warehouse_inventory.services import inventory_service
from warehouse_inventory.stock import Principal, RequestMeta, StockLevel

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams.type_defs import RecordTypeDef

pytestmark = pytest.mark.dynamodb_local

RESTOCKS = 200
WORKERS = 32
LOCATION = "A-01"
CLERK = Principal(token_id="t-clerk", name="clerk", role="clerk")


def fresh_sku() -> str:
    """Unique per run: the emulator is shared by the whole session."""
    return f"T{uuid.uuid4().hex[:15].upper()}"


@pytest.fixture(scope="module")
def unretried_service(local_dynamo: LocalDynamo) -> InventoryService:
    """The real service and repository on a client that never resends a request.

    An SDK retry after a read timeout resends the ADD, which DynamoDB may already have applied:
    under load that double-counts, and this test must measure DynamoDB's atomicity, not that.
    """
    config = Config(
        retries={"mode": "standard", "max_attempts": 1},
        read_timeout=60,
        max_pool_connections=WORKERS,
    )
    client = boto3.client("dynamodb", endpoint_url=local_dynamo.url, config=config)
    repository = DynamoDBInventoryRepository(client, local_dynamo.table_name)
    return InventoryService(repository, CursorCodec(b"x" * 32, 60))


def restock(
    sku: str, location_code: str, request_id: str, service: InventoryService | None = None
) -> StockLevel:
    """By default the handlers' own wiring: the per-container service, client and repository."""
    request = RestockIn(sku=sku, quantity=1, location_code=location_code)
    return (service or inventory_service()).restock(request, RequestMeta(CLERK, request_id))


def get_record(local: LocalDynamo, key: dict[str, Any]) -> dict[str, Any] | None:
    response = local.client.get_item(TableName=local.table_name, Key=key, ConsistentRead=True)
    return from_item(response["Item"]) if "Item" in response else None


def stream_records_for(local: LocalDynamo, key: dict[str, Any]) -> list["RecordTypeDef"]:
    return [
        record for record in local.stream_records() if record.get("dynamodb", {}).get("Keys") == key
    ]


def images(record: "RecordTypeDef") -> tuple[dict[str, Any], dict[str, Any]]:
    """(old, new) as plain values; an INSERT has no old image."""
    change = record["dynamodb"]
    return from_item(change.get("OldImage", {})), from_item(change.get("NewImage", {}))


def test_concurrent_restocks_are_atomic_and_each_is_one_stream_record(
    local_dynamo: LocalDynamo, unretried_service: InventoryService
) -> None:
    sku = fresh_sku()
    key = keys.stock_key(sku, LOCATION)
    base = 0  # a fresh SKU: the first of the concurrent writes also creates the record
    assert get_record(local_dynamo, key) is None
    request_ids = [f"req-{n}" for n in range(RESTOCKS)]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        levels = list(
            pool.map(lambda rid: restock(sku, LOCATION, rid, unretried_service), request_ids)
        )

    assert sorted(level.version for level in levels) == list(range(1, RESTOCKS + 1))
    final = get_record(local_dynamo, key)
    assert final is not None
    assert (final["quantity"], final["version"]) == (base + RESTOCKS, RESTOCKS)

    records = stream_records_for(local_dynamo, key)
    assert len(records) == RESTOCKS
    assert {record.get("eventName") for record in records} <= {"INSERT", "MODIFY"}
    changes = [images(record) for record in records]
    # each version once, and in order: the stream keeps per-record order (the relay relies on it)
    assert [new["version"] for _, new in changes] == list(range(1, RESTOCKS + 1))
    assert all(new["quantity"] - old.get("quantity", 0) == 1 for old, new in changes)
    movements = [new["last_movement"] for _, new in changes]
    assert {movement["type"] for movement in movements} == {"restock"}
    assert sorted(movement["request_id"] for movement in movements) == sorted(request_ids)


def test_first_restock_creates_the_item_and_another_location_leaves_it_unchanged(
    local_dynamo: LocalDynamo,
) -> None:
    sku = fresh_sku()

    restock(sku, "A-01", "req-first")
    item = get_record(local_dynamo, keys.item_key(sku))
    assert item is not None
    expected = {"pk": f"SKU#{sku}", "sk": "ITEM", "name": sku, "version": 1}
    assert {name: item[name] for name in expected} == expected

    second = restock(sku, "B-02", "req-second")
    assert second.version == 1  # a first restock at B-02, so the service ensures the item again
    after = get_record(local_dynamo, keys.item_key(sku))
    assert after is not None
    # the master data is untouched; only the count of stock records (see delete_item) moved
    assert after | {"stock_records": 1} == item
    assert after["stock_records"] == 2
