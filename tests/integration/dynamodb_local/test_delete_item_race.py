"""DELETE /items racing a restock, interleaved deterministically on DynamoDB Local.

`DynamoDBItemRepository.delete_item` reads the SKU's partition, then deletes the item on
condition that its `stock_records` counter (bumped by every restock's ensure-item step) is what
it read. A `before-send` hook on the delete's client runs the restock exactly between that read
and that delete. The restock goes through `InventoryService.restock` on its own client, so its
hooks are separate.
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from botocore.awsrequest import AWSPreparedRequest

from tests.support.dynamodb_local import (
    ClientFactory,
    LocalDynamo,
    fresh_sku,
    get_record,
    meta,
    service_on,
    stream_records_for,
)
from warehouse_inventory.dal import keys
from warehouse_inventory.dal.item_repository import DynamoDBItemRepository
from warehouse_inventory.domain.errors import Conflict
from warehouse_inventory.domain.stock import StockLevel
from warehouse_inventory.schemas.inventory import PickIn, RestockIn
from warehouse_inventory.services.inventory import InventoryService

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.dynamodb_local

A, B = "A-1", "B-2"
WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Parties:
    """The delete and the restock, each on its own client (no SDK retries), so each test's
    hooks land on one side only."""

    items: DynamoDBItemRepository
    items_client: "DynamoDBClient"
    service: InventoryService
    service_client: "DynamoDBClient"

    def before_delete_write(self, action: Callable[[], object]) -> None:
        """Run `action` once, after the delete's Query and before its DeleteItem is sent."""
        pending = [action]

        def hook(**_: Any) -> None:
            if pending:
                pending.pop()()

        self.items_client.meta.events.register("before-send.dynamodb.DeleteItem", hook)


@pytest.fixture
def parties(local_dynamo: LocalDynamo, emulator_client: ClientFactory) -> Parties:
    items_client, service_client = emulator_client(1), emulator_client(1)
    return Parties(
        DynamoDBItemRepository(items_client, local_dynamo.table_name),
        items_client,
        service_on(service_client, local_dynamo),
        service_client,
    )


def emptied(service: InventoryService, sku: str, *locations: str) -> None:
    """Stock was there and is gone: the records exist at quantity 0 (version 2), item exists."""
    for location in locations:
        restock = RestockIn(sku=sku, quantity=3, location_code=location)
        service.restock(restock, meta(f"{sku}-in-{location}"))
        service.pick(PickIn(sku=sku, quantity=3, location_code=location), meta(f"{sku}-out"))


def item_events(local: LocalDynamo, sku: str) -> list[str]:
    return [record["eventName"] for record in stream_records_for(local, keys.item_key(sku))]


def test_restock_of_a_seen_empty_record_cancels_the_delete(
    local_dynamo: LocalDynamo, parties: Parties
) -> None:
    """(a) The restock's ensure-item step bumps the item's counter the delete is conditional on:
    409, item kept (its master data unchanged)."""
    sku = fresh_sku()
    emptied(parties.service, sku, A)
    item_before = get_record(local_dynamo, keys.item_key(sku))
    restock = RestockIn(sku=sku, quantity=4, location_code=A)
    parties.before_delete_write(lambda: parties.service.restock(restock, meta(f"{sku}-race")))

    with pytest.raises(Conflict):
        parties.items.delete_item(sku)

    item_after = get_record(local_dynamo, keys.item_key(sku))
    assert item_before is not None and item_after is not None
    assert item_after | {"stock_records": 0} == item_before | {"stock_records": 0}
    assert item_after["stock_records"] == item_before["stock_records"] + 1
    stock = get_record(local_dynamo, keys.stock_key(sku, A))
    assert stock is not None and (stock["quantity"], stock["version"]) == (4, 3)
    assert item_events(local_dynamo, sku) == ["INSERT", "MODIFY"]


def test_restock_creating_a_location_midway_recreates_the_item_after_the_delete(
    local_dynamo: LocalDynamo, parties: Parties
) -> None:
    """(b) The documented outcome: the restock's stock write (a new record, version 1) lands
    between the delete's read and write, so the delete, not seeing it, goes through; the
    restock's ensure-item step, which runs after its stock write, then recreates the item.

    The restock runs in a thread held just before its ensure-item UpdateItem is sent until the
    delete has committed: the only order in which the docstring's promise is exercised.
    """
    sku = fresh_sku()
    emptied(parties.service, sku, A)
    stock_written, delete_done = threading.Event(), threading.Event()

    def hold_ensure_item(request: AWSPreparedRequest, **_: Any) -> None:
        body = request.body
        sent = json.loads(body.decode() if isinstance(body, bytes) else str(body))
        if sent["Key"] == keys.item_key(sku):
            stock_written.set()
            assert delete_done.wait(WAIT_SECONDS)

    parties.service_client.meta.events.register("before-send.dynamodb.UpdateItem", hold_ensure_item)
    restocked: list[StockLevel] = []
    request = RestockIn(sku=sku, quantity=4, location_code=B)
    thread = threading.Thread(
        target=lambda: restocked.append(parties.service.restock(request, meta(f"{sku}-race")))
    )

    def start_restock() -> None:
        thread.start()
        assert stock_written.wait(WAIT_SECONDS)

    parties.before_delete_write(start_restock)
    try:
        parties.items.delete_item(sku)
    finally:
        delete_done.set()
        thread.join(WAIT_SECONDS)

    assert [(level.quantity, level.version) for level in restocked] == [(4, 1)]
    stock = get_record(local_dynamo, keys.stock_key(sku, B))
    assert stock is not None and (stock["quantity"], stock["version"]) == (4, 1)
    item = get_record(local_dynamo, keys.item_key(sku))
    assert item is not None
    assert (item["name"], item["unit"], item["version"]) == (sku, "each", 1)  # default master data
    assert item_events(local_dynamo, sku) == ["INSERT", "REMOVE", "INSERT"]


def test_restock_creating_a_location_entirely_midway_cancels_the_delete(
    local_dynamo: LocalDynamo, parties: Parties
) -> None:
    """The other order of (b): the whole restock, ensure-item included, lands in the window.
    ensure-item bumps the item's stock_records counter, on which the delete is conditional."""
    sku = fresh_sku()
    emptied(parties.service, sku, A)
    restock = RestockIn(sku=sku, quantity=4, location_code=B)
    parties.before_delete_write(lambda: parties.service.restock(restock, meta(f"{sku}-race")))

    with pytest.raises(Conflict):
        parties.items.delete_item(sku)  # B-2 was not there when the partition was read

    stock = get_record(local_dynamo, keys.stock_key(sku, B))
    assert stock is not None and stock["quantity"] == 4
    assert get_record(local_dynamo, keys.item_key(sku)) is not None, "stock without an item"


def test_delete_without_a_race_removes_the_item_and_keeps_the_empty_records(
    local_dynamo: LocalDynamo, parties: Parties
) -> None:
    """(c) Stock 0 everywhere and nothing in between: the item goes, the empty records stay."""
    sku = fresh_sku()
    emptied(parties.service, sku, A, B)

    parties.items.delete_item(sku)

    assert parties.items.get_item(sku) is None
    for location in (A, B):
        stock = get_record(local_dynamo, keys.stock_key(sku, location))
        assert stock is not None and (stock["quantity"], stock["version"]) == (0, 2)
    # created, its stock_records counter bumped by the second location, deleted
    assert item_events(local_dynamo, sku) == ["INSERT", "MODIFY", "REMOVE"]
