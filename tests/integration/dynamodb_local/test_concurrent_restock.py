"""One atomic write per movement, on Amazon's DynamoDB Local: concurrent restocks are atomic,
each is one write that carries its own movement, and the stream (the outbox) holds exactly one
record per change.
"""

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.config import Config

from tests.support.dynamodb_local import (
    CLERK,
    LocalDynamo,
    fresh_sku,
    get_record,
    images,
    stream_records_for,
)
from warehouse_inventory.dal import keys
from warehouse_inventory.dal.stock_repository import DynamoDBInventoryRepository
from warehouse_inventory.domain.caller import RequestMeta
from warehouse_inventory.domain.stock import StockLevel
from warehouse_inventory.schemas.inventory import RestockIn
from warehouse_inventory.services.inventory import InventoryService
from warehouse_inventory.services.paging import CursorCodec
from warehouse_inventory.wiring import inventory_service

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.dynamodb_local

RESTOCKS = 200
WORKERS = 32
LOCATION = "A-01"


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
