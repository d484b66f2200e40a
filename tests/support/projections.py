"""Random movements over a small universe of SKUs and locations, the reports they should give
(counted by brute force over the stock records) and the reports the API gives."""

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.support.dynamodb_local import LocalDynamo
from warehouse_devstack.event_sources.stream_reader import read_stream
from warehouse_inventory.consumers.projector import project
from warehouse_inventory.dal.dynamodb import from_item
from warehouse_inventory.domain.caller import ANONYMOUS, RequestMeta
from warehouse_inventory.domain.errors import WarehouseError
from warehouse_inventory.domain.items import ItemFields
from warehouse_inventory.domain.reports import is_low
from warehouse_inventory.schemas.inventory import (
    AdjustIn,
    AdjustReason,
    PickIn,
    RestockIn,
    TransferIn,
)
from warehouse_inventory.wiring import (
    inventory_service,
    item_service,
    projection_repository,
    report_service,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams.type_defs import RecordTypeDef


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
        for record in read_stream(local.streams, local.stream_arn)
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
