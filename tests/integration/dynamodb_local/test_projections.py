"""Report projections on DynamoDB Local: after random movements they equal a brute-force count
over the stock records, and redelivered or reordered stream records change nothing."""

import copy
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.integration.dynamodb_local.conftest import ClientFactory, LocalDynamo
from warehouse_inventory.dynamodb_support import from_item
from warehouse_inventory.errors import WarehouseError
from warehouse_inventory.items import ItemFields
from warehouse_inventory.models import AdjustIn, AdjustReason, PickIn, RestockIn, TransferIn
from warehouse_inventory.projection_rebuild import rebuild
from warehouse_inventory.projections import ProjectionRepository, StockChange, is_low
from warehouse_inventory.projector import project
from warehouse_inventory.services import (
    inventory_service,
    item_service,
    projection_repository,
    report_service,
)
from warehouse_inventory.stock import ANONYMOUS, RequestMeta

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams.type_defs import RecordTypeDef

pytestmark = pytest.mark.dynamodb_local


@dataclass(frozen=True)
class Universe:
    """SKUs and locations unique to one test, so the shared emulator's other data stays out."""

    skus: list[str]
    locations: list[str]


def universe(skus: int, locations: int) -> Universe:
    run = uuid.uuid4().hex[:6].upper()
    return Universe(
        [f"P{run}{n:02d}" for n in range(skus)], [f"L{run}-{n}" for n in range(locations)]
    )


def random_movements(world: Universe, count: int, seed: int) -> None:
    rng, service = random.Random(seed), inventory_service()
    for n in range(count):
        sku, location = rng.choice(world.skus), rng.choice(world.locations)
        meta = RequestMeta(ANONYMOUS, f"req-{uuid.uuid4()}")
        kind = rng.choice(["restock", "restock", "pick", "transfer", "adjust"])
        try:
            if kind == "restock":
                service.restock(
                    RestockIn(sku=sku, quantity=rng.randint(1, 20), location_code=location), meta
                )
            elif kind == "pick":
                service.pick(
                    PickIn(sku=sku, quantity=rng.randint(1, 10), location_code=location), meta
                )
            elif kind == "transfer":
                target = rng.choice([loc for loc in world.locations if loc != location])
                body = TransferIn(
                    sku=sku, quantity=rng.randint(1, 10), from_location=location, to_location=target
                )
                service.transfer(body, meta)
            else:
                counted = rng.randint(0, 15)
                service.adjust(
                    AdjustIn(
                        sku=sku,
                        location_code=location,
                        counted_quantity=counted,
                        reason=AdjustReason.CYCLE_COUNT,
                    ),
                    meta,
                )
        except WarehouseError:
            pass  # insufficient stock, no record: nothing changed, nothing to project
        if n % 7 == 0:  # reorder points change while stock moves
            item_service().put(sku, ItemFields(sku, None, "each", rng.randint(0, 120)), None)


def stock_records(local: LocalDynamo, world: Universe) -> list["RecordTypeDef"]:
    return [
        record
        for record in local.stream_records()
        if record["dynamodb"]["Keys"]["sk"]["S"].startswith("STOCK#")
        and record["dynamodb"]["Keys"]["pk"]["S"].removeprefix("SKU#") in world.skus
    ]


def feed(records: list["RecordTypeDef"], batch: int = 100) -> None:
    for start in range(0, len(records), batch):
        event: dict[str, Any] = {"Records": records[start : start + batch]}
        assert project(event, None, projection_repository()) == {"batchItemFailures": []}


def brute_force(local: LocalDynamo, world: Universe) -> tuple[dict[str, Any], dict[str, Any]]:
    """(low-stock lines, location lines) computed from the stock records and items alone."""
    totals: dict[str, int] = defaultdict(int)
    places: dict[str, list[int]] = {loc: [0, 0] for loc in world.locations}
    points: dict[str, int] = {}
    seen_locations = set()
    for page in local.client.get_paginator("scan").paginate(TableName=local.table_name):
        for raw in page["Items"]:
            record = from_item(dict(raw))
            if record.get("sku") not in world.skus:
                continue
            if record["sk"].startswith("STOCK#"):
                location, quantity = record["sk"].removeprefix("STOCK#"), int(record["quantity"])
                totals[record["sku"]] += quantity
                places[location][0] += int(quantity > 0)
                places[location][1] += quantity
                seen_locations.add(location)
            elif record["sk"] == "ITEM":
                points[record["sku"]] = int(record["reorder_point"])
    low = {sku: (totals[sku], point) for sku, point in points.items() if is_low(totals[sku], point)}
    locations = {loc: tuple(values) for loc, values in places.items() if loc in seen_locations}
    return low, locations


def reported(world: Universe) -> tuple[dict[str, Any], dict[str, Any]]:
    reports = report_service()
    low = {
        line.sku: (line.total_quantity, line.reorder_point)
        for line in reports.low_stock()
        if line.sku in world.skus
    }
    locations = {
        line.location_code: (line.sku_count, line.total_quantity)
        for line in reports.locations()
        if line.location_code in world.locations
    }
    return low, locations


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
    """The real repository, counting what it is asked to apply; fails the first `failures`."""

    def __init__(self, failures: int = 0) -> None:
        real = projection_repository()
        super().__init__(real._client, real._table)
        self.applied: list[StockChange] = []
        self.failures = failures

    def apply(self, change: StockChange) -> bool:
        self.applied.append(change)
        if self.failures:
            self.failures -= 1
            raise WarehouseError("injected projection failure")
        return super().apply(change)


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


class RefreshFailsOnce(ProjectionRepository):
    """The real repository whose first item refresh fails, after the projection committed."""

    def __init__(self) -> None:
        real = projection_repository()
        super().__init__(real._client, real._table)
        self.failed = False

    def refresh_item(self, sku: str) -> bool:
        if not self.failed:
            self.failed = True
            raise WarehouseError("injected refresh failure")
        return super().refresh_item(sku)


def test_a_redelivered_change_refreshes_the_item_its_first_delivery_failed_to(
    local_dynamo: LocalDynamo,
) -> None:
    """The marker and summary committed, the refresh of the item's total and low-stock flag
    failed: the stream delivers the record again, its marker is current, and the refresh must
    still run, or the item stays in the low-stock report for good."""
    world = universe(skus=1, locations=1)
    (sku,), (location,) = world.skus, world.locations
    item_service().put(sku, ItemFields("Widget", None, "each", 3), None)  # low: 0 <= 3
    inventory_service().restock(
        RestockIn(sku=sku, quantity=5, location_code=location), RequestMeta(ANONYMOUS, "r-5")
    )
    records = stock_records(local_dynamo, world)
    repository = RefreshFailsOnce()

    with pytest.raises(BatchProcessingError):  # the whole batch failed: Lambda retries it
        project({"Records": records}, None, repository)
    assert reported(world) == ({sku: (0, 3)}, {location: (1, 5)})  # summary moved, item not
    redelivered = project({"Records": records}, None, repository)

    assert redelivered == {"batchItemFailures": []}
    assert reported(world) == ({}, {location: (1, 5)})
