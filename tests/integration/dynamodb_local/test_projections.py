"""Report projections on DynamoDB Local: after random movements they equal a brute-force count
over the stock records, and redelivered or reordered stream records change nothing."""

import copy
import random
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.dynamodb_local import ClientFactory, LocalDynamo
from tests.support.projections import (
    Universe,
    brute_force,
    feed,
    random_movements,
    reported,
    stock_records,
    universe,
)
from warehouse_inventory.consumers.projector import project
from warehouse_inventory.dal.dynamodb import from_item
from warehouse_inventory.dal.projection_rebuild import rebuild
from warehouse_inventory.dal.projection_repository import ProjectionRepository
from warehouse_inventory.domain.caller import ANONYMOUS, RequestMeta
from warehouse_inventory.domain.errors import WarehouseError
from warehouse_inventory.domain.items import ItemFields
from warehouse_inventory.domain.reports import StockChange
from warehouse_inventory.schemas.inventory import (
    RestockIn,
)
from warehouse_inventory.wiring import (
    inventory_service,
    item_service,
    projection_repository,
)

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.dynamodb_local


def test_reports_equal_brute_force_after_random_movements(local_dynamo: LocalDynamo) -> None:
    world = universe(skus=30, locations=5)
    random_movements(world, count=500, seed=6)
    records = stock_records(local_dynamo, world)
    feed(records)
    expected_low, expected_locations = brute_force(local_dynamo, world)
    assert reported(world) == (expected_low, expected_locations)
    assert len(expected_locations) == 5 and expected_low  # the run really exercised both reports


def test_redelivered_records_change_nothing(local_dynamo: LocalDynamo) -> None:
    world = universe(skus=6, locations=3)
    random_movements(world, count=80, seed=7)
    records = stock_records(local_dynamo, world)
    feed(records)
    before = reported(world)
    feed(records)  # the whole stream again
    feed(list(reversed(records))[:40])  # and part of it, backwards
    assert reported(world) == before == brute_force(local_dynamo, world)


def test_out_of_order_delivery_ends_right(local_dynamo: LocalDynamo) -> None:
    world = universe(skus=6, locations=3)
    random_movements(world, count=120, seed=8)
    records = stock_records(local_dynamo, world)
    random.Random(9).shuffle(records)
    feed(records, batch=7)
    assert reported(world) == brute_force(local_dynamo, world)


class CountingRepository(ProjectionRepository):
    """The real repository, noting what it is asked to apply; the first `failures` calls fail,
    and so does every call with a change of `failing_sku`."""

    def __init__(self, failures: int = 0, failing_sku: str | None = None) -> None:
        real = projection_repository()
        super().__init__(real._client, real._table)
        self.applied: list[StockChange] = []
        self.failures = failures
        self.failing_sku = failing_sku

    def apply_all(self, changes: Sequence[StockChange]) -> dict[tuple[str, str | None], bool]:
        self.applied.extend(changes)
        if self.failures or any(change.sku == self.failing_sku for change in changes):
            self.failures = max(self.failures - 1, 0)
            raise WarehouseError("injected projection failure")
        return super().apply_all(changes)


def restocks(world: Universe, count: int) -> None:
    (sku,), (location,) = world.skus, world.locations
    for n in range(count):
        inventory_service().restock(
            RestockIn(sku=sku, quantity=n + 1, location_code=location),
            RequestMeta(ANONYMOUS, f"req-{uuid.uuid4()}"),
        )


def test_a_batch_projects_each_stock_record_once_at_its_newest_version(
    local_dynamo: LocalDynamo,
) -> None:
    world = universe(skus=1, locations=1)
    restocks(world, 30)
    repository = CountingRepository()
    event: dict[str, Any] = {"Records": stock_records(local_dynamo, world)}
    assert project(event, None, repository) == {"batchItemFailures": []}
    assert [change.version for change in repository.applied] == [30]
    assert reported(world) == brute_force(local_dynamo, world)
    assert reported(world)[1] == {world.locations[0]: (1, sum(range(1, 31)))}


def test_a_malformed_record_fails_alone(local_dynamo: LocalDynamo) -> None:
    world = universe(skus=1, locations=1)
    restocks(world, 3)
    records = stock_records(local_dynamo, world)
    broken = copy.deepcopy(records[0])
    del broken["dynamodb"]["NewImage"]["quantity"]
    response = project({"Records": [broken, *records[1:]]}, None, projection_repository())
    assert response == {
        "batchItemFailures": [{"itemIdentifier": broken["dynamodb"]["SequenceNumber"]}]
    }
    assert reported(world) == brute_force(local_dynamo, world)


def test_a_failed_newest_change_is_retried_and_carries_the_skipped_ones(
    local_dynamo: LocalDynamo,
) -> None:
    world = universe(skus=1, locations=1)
    restocks(world, 10)
    records = stock_records(local_dynamo, world)
    response = project({"Records": records}, None, CountingRepository(failures=1))
    newest = records[-1]["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": newest}]}
    assert reported(world)[1] == {}  # nothing projected yet
    # Lambda retries the shard from the reported record: here, the last one alone.
    assert project({"Records": records[-1:]}, None, projection_repository()) == {
        "batchItemFailures": []
    }
    assert reported(world) == brute_force(local_dynamo, world)
    assert reported(world)[1] == {world.locations[0]: (1, sum(range(1, 11)))}


def test_reorder_point_edits_move_a_sku_in_and_out_of_low_stock(local_dynamo: LocalDynamo) -> None:
    world = universe(skus=1, locations=1)
    (sku,), (location,) = world.skus, world.locations
    inventory_service().restock(
        RestockIn(sku=sku, quantity=10, location_code=location), RequestMeta(ANONYMOUS, "r-1")
    )
    feed(stock_records(local_dynamo, world))
    items = item_service()
    for point, listed in [(5, False), (10, True), (25, True), (9, False), (0, False)]:
        items.put(sku, ItemFields("Widget", None, "each", point), None)
        low, _ = reported(world)
        assert (sku in low) is listed, point
        if listed:
            assert low[sku] == (10, point)


def test_rebuild_changes_nothing_on_correct_data_and_repairs_a_bug(
    local_dynamo: LocalDynamo,
) -> None:
    world = universe(skus=5, locations=2)
    random_movements(world, count=60, seed=10)
    feed(stock_records(local_dynamo, world))
    rebuild(local_dynamo.client, local_dynamo.table_name)  # other tests leave unprojected data
    assert rebuild(local_dynamo.client, local_dynamo.table_name).changed == 0
    broken = world.skus[0]
    local_dynamo.client.update_item(
        TableName=local_dynamo.table_name,
        Key={"pk": {"S": f"SKU#{broken}"}, "sk": {"S": "ITEM"}},
        UpdateExpression="SET total_quantity = :wrong",
        ExpressionAttributeValues={":wrong": {"N": "-999"}},
    )
    report = rebuild(local_dynamo.client, local_dynamo.table_name)
    assert report.totals_written == 1
    assert reported(world) == brute_force(local_dynamo, world)


def test_a_refresh_that_read_older_markers_does_not_overwrite_a_newer_total(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    """Two refreshes of one item race (the projector's and a PUT's): the one that read the
    markers before a change writes last, and must lose to the one that read them after."""
    world = universe(skus=1, locations=1)
    (sku,), (location,) = world.skus, world.locations
    restocks(world, 1)
    feed(stock_records(local_dynamo, world))
    local_dynamo.client.update_item(  # a wrong total, so the slow refresh has something to fix
        TableName=local_dynamo.table_name,
        Key={"pk": {"S": f"SKU#{sku}"}, "sk": {"S": "ITEM"}},
        UpdateExpression="SET total_quantity = :wrong",
        ExpressionAttributeValues={":wrong": {"N": "-999"}},
    )
    slow_client = emulator_client(1)
    slow = ProjectionRepository(slow_client, local_dynamo.table_name)
    pending = [True]

    def newer_change_first(**_: Any) -> None:
        """Another restock, projected (and refreshed) before the slow refresh writes."""
        if pending:
            pending.pop()
            restocks(world, 1)
            feed(stock_records(local_dynamo, world)[1:])

    slow_client.meta.events.register("before-send.dynamodb.UpdateItem", newer_change_first)

    slow.refresh_item(sku)

    assert reported(world)[1] == {location: (1, 2)}  # 1, then 1 more
    item = from_item(
        local_dynamo.client.get_item(
            TableName=local_dynamo.table_name,
            Key={"pk": {"S": f"SKU#{sku}"}, "sk": {"S": "ITEM"}},
        )["Item"]
    )
    assert (item["total_quantity"], item["projected_versions"]) == (2, 2)


def item_record(local: LocalDynamo, sku: str) -> dict[str, Any]:
    return dict(
        local.client.get_item(
            TableName=local.table_name, Key={"pk": {"S": f"SKU#{sku}"}, "sk": {"S": "ITEM"}}
        )["Item"]
    )


def test_a_redelivered_change_refreshes_the_item_its_first_delivery_left_behind(
    local_dynamo: LocalDynamo,
) -> None:
    """The marker and summary committed, the item's total and low-stock flag did not (as a
    projector before batching could leave it, between its two writes): the stream delivers the
    record again, its marker is current, and the item must still be brought up to date, or it
    stays in the low-stock report for good."""
    world = universe(skus=1, locations=1)
    (sku,), (location,) = world.skus, world.locations
    item_service().put(sku, ItemFields("Widget", None, "each", 3), None)  # low: 0 <= 3
    inventory_service().restock(
        RestockIn(sku=sku, quantity=5, location_code=location), RequestMeta(ANONYMOUS, "r-5")
    )
    records = stock_records(local_dynamo, world)
    behind = item_record(local_dynamo, sku)
    feed(records)
    local_dynamo.client.put_item(TableName=local_dynamo.table_name, Item=behind)
    assert reported(world) == ({sku: (0, 3)}, {location: (1, 5)})  # summary moved, item not

    redelivered = project({"Records": records}, None, projection_repository())

    assert redelivered == {"batchItemFailures": []}
    assert reported(world) == ({}, {location: (1, 5)})


def restock_everywhere(world: Universe, quantity: int) -> None:
    """One restock of every stock record of the universe."""
    for sku in world.skus:
        for location in world.locations:
            inventory_service().restock(
                RestockIn(sku=sku, quantity=quantity, location_code=location),
                RequestMeta(ANONYMOUS, f"req-{uuid.uuid4()}"),
            )


def test_a_sku_that_keeps_failing_fails_only_its_own_records(local_dynamo: LocalDynamo) -> None:
    world = universe(skus=3, locations=2)
    restock_everywhere(world, 4)
    records = stock_records(local_dynamo, world)
    failing = world.skus[1]

    response = project({"Records": records}, None, CountingRepository(failing_sku=failing))

    failed = [
        r["dynamodb"]["SequenceNumber"]
        for r in records
        if failing in r["dynamodb"]["Keys"]["pk"]["S"]
    ]
    assert response == {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}
    _, places = reported(world)
    assert places == {location: (2, 8) for location in world.locations}  # the two other SKUs
    assert project({"Records": records}, None, projection_repository()) == {"batchItemFailures": []}
    assert reported(world) == brute_force(local_dynamo, world)


def test_a_sku_at_more_locations_than_one_transaction_holds(local_dynamo: LocalDynamo) -> None:
    """60 locations of one SKU in one batch: 60 markers, 60 summaries and the item would be
    121 writes, over DynamoDB's 100; the SKU is taken in over two transactions."""
    world = universe(skus=1, locations=60)
    (sku,) = world.skus
    item_service().put(sku, ItemFields("Widget", None, "each", 500), None)
    for location in world.locations:
        inventory_service().restock(
            RestockIn(sku=sku, quantity=7, location_code=location), RequestMeta(ANONYMOUS, location)
        )
    feed(stock_records(local_dynamo, world))
    assert reported(world) == brute_force(local_dynamo, world)
    assert reported(world)[0] == {sku: (420, 500)}


def test_a_batch_costs_a_query_per_sku_and_a_transaction_per_chunk(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    """100 changes over 20 SKUs x 5 locations: 20 consistent Queries (item and markers) and
    2 transactions (each at most 100 writes: 100 markers, 20 items, 5 summaries), where one
    change at a time cost 4 calls each (a GetItem, a transaction, a Query, an UpdateItem)."""
    world = universe(skus=20, locations=5)
    restock_everywhere(world, 3)
    records = stock_records(local_dynamo, world)
    client = emulator_client(1)
    calls: list[str] = []
    client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    repository = ProjectionRepository(client, local_dynamo.table_name)

    assert project({"Records": records}, None, repository) == {"batchItemFailures": []}

    assert len(records) == 100
    assert sorted(set(calls)) == ["Query", "TransactWriteItems"]
    assert calls.count("Query") == 20 and calls.count("TransactWriteItems") == 2
    assert reported(world) == brute_force(local_dynamo, world)
