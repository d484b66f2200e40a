"""Recompute every report projection from the stock records, for recovery after a bug.

Not a request path: it Scans the table (the one place that does). It writes only what differs
from the recomputed state, so running it on correct data changes nothing. Run it while the
projector is paused or traffic is low: a stock change projected during the rebuild is taken in
again by the next run. Markers and location summaries are rewritten here; every existing item's
total and low-stock keys are then refreshed from the markers, as the projector does. No item is
created: stock of a deleted item counts in its location's summary only.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from warehouse_inventory.dal import keys
from warehouse_inventory.dal.dynamodb import from_item
from warehouse_inventory.dal.expressions import Expression
from warehouse_inventory.dal.projection_repository import ProjectionRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass
class Projections:
    """The projection values, as found in the table or as recomputed from stock."""

    markers: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    items: set[str] = field(default_factory=set)
    summaries: dict[str, tuple[int, int]] = field(default_factory=dict)  # sku_count, total


@dataclass(frozen=True)
class RebuildReport:
    markers_written: int
    totals_written: int
    summaries_written: int

    @property
    def changed(self) -> int:
        return self.markers_written + self.totals_written + self.summaries_written


def scan(client: "DynamoDBClient", table: str) -> list[dict[str, Any]]:
    return [
        from_item(item)
        for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
        for item in page["Items"]
    ]


def split(records: list[dict[str, Any]]) -> tuple[Projections, Projections]:
    """(what the stock records imply, what the table currently holds)."""
    expected, current = Projections(), Projections()
    per_location: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        sk = record["sk"]
        if keys.is_stock_record(sk):
            location, quantity = keys.stock_location(sk), int(record["quantity"])
            expected.markers[(record["sku"], location)] = (quantity, int(record["version"]))
            per_location[location][0] += int(quantity > 0)
            per_location[location][1] += quantity
        elif keys.is_projection_marker(sk):
            location = keys.marker_location(sk)
            current.markers[(record["sku"], location)] = (
                int(record["quantity"]),
                int(record["version"]),
            )
        elif sk == keys.ITEM_SK:
            current.items.add(keys.partition_sku(record["pk"]))
        elif keys.is_location_summary(sk):
            location = keys.summary_location(record["pk"])
            current.summaries[location] = (
                int(record.get("sku_count", 0)),
                int(record.get("total_quantity", 0)),
            )
    expected.summaries = {loc: (count, total) for loc, (count, total) in per_location.items()}
    for location in current.summaries:
        expected.summaries.setdefault(location, (0, 0))
    return expected, current


def rebuild(client: "DynamoDBClient", table: str) -> RebuildReport:
    expected, current = split(scan(client, table))
    writer = _Writer(client, table)
    markers = [k for k, v in expected.markers.items() if current.markers.get(k) != v]
    summaries = [k for k, v in expected.summaries.items() if current.summaries.get(k) != v]
    for sku, location in markers:
        quantity, version = expected.markers[(sku, location)]
        writer.marker(sku, location, quantity, version)
    for location in summaries:
        writer.summary(location, *expected.summaries[location])
    projections = ProjectionRepository(client, table)
    items = sum(projections.refresh_item(sku) for sku in sorted(current.items))
    return RebuildReport(len(markers), items, len(summaries))


class _Writer:
    def __init__(self, client: "DynamoDBClient", table: str) -> None:
        self._client, self._table = client, table

    def _update(self, key: dict[str, Any], expression: Expression) -> None:
        self._client.update_item(**expression.update(self._table, key))

    def marker(self, sku: str, location: str, quantity: int, version: int) -> None:
        expression = Expression().set("sku", sku).set("quantity", quantity).set("version", version)
        self._update(keys.projection_marker_key(sku, location or None), expression)

    def summary(self, location: str, sku_count: int, total: int) -> None:
        expression = Expression().set("sku_count", sku_count).set("total_quantity", total)
        expression.set("type_pk", keys.LOCATION_TYPE)
        expression.set("type_sk", location or keys.UNASSIGNED_SORT)
        if location:
            expression.set("location_code", location)
        self._update(keys.location_summary_key(location or None), expression)
