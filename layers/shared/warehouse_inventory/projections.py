"""Report projections kept from the stock stream: per-SKU `total_quantity` on the item, per-
location `sku_count`/`total_quantity` summaries, and the sparse low-stock index.

Correct under redelivery and out-of-order delivery: a marker per (sku, location) holds the last
{quantity, version} the projections took in. A change applies only if its version is newer, and
its effect is computed against the marker (new quantity - marked quantity), not the stream's old
image, so a skipped or reordered change cannot be lost or counted twice. The marker, the item
total and the location summary move together in one transaction, conditional on the marker
being what was read (a concurrent projector retries).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory import dynamodb_keys as keys
from warehouse_inventory.dynamodb_support import (
    Expression,
    aws_errors_as_domain_errors,
    error_code,
    from_item,
    query_all,
)
from warehouse_inventory.errors import Conflict
from warehouse_inventory.stock import utc_now

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ATTEMPTS = 5


@dataclass(frozen=True)
class StockChange:
    sku: str
    location_code: str | None
    quantity: int
    version: int


@dataclass(frozen=True)
class LowStockLine:
    sku: str
    name: str
    total_quantity: int
    reorder_point: int


@dataclass(frozen=True)
class LocationLine:
    location_code: str | None
    sku_count: int
    total_quantity: int


def item_defaults(sku: str, now: datetime | None = None) -> Expression:
    """An update that also creates the item, as ensure_item would, when stock has none yet."""
    stamp = (now or utc_now()).isoformat()
    expression = Expression()
    defaults: dict[str, str | int] = {"sku": sku, "name": sku, "unit": "each", "reorder_point": 0}
    for name, default in (
        defaults | {"version": 1, "created_at": stamp, "updated_at": stamp}
    ).items():
        expression.set_if_absent(name, default)
    return expression.set("type_pk", keys.ITEM_TYPE).set("type_sk", sku)


def is_low(total: int, reorder_point: int) -> bool:
    return reorder_point > 0 and total <= reorder_point


class ProjectionRepository:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def apply(self, change: StockChange, now: datetime) -> bool:
        """Take one stock change in; False when it was already taken in (or is older)."""
        for _ in range(ATTEMPTS):
            marked = self._marker(change)
            if change.version <= marked["version"]:
                return False
            try:
                self._transact(change, marked, now)
            except ClientError as exc:
                if error_code(exc) == "TransactionCanceledException":
                    continue  # another projector moved the marker meanwhile: read again
                raise
            self.refresh_low_stock(change.sku)
            return True
        raise Conflict(f"Projections of {change.sku} are busy; the stream will retry.")

    def refresh_low_stock(self, sku: str) -> None:
        """Set or clear the item's low-stock index keys from its current total and reorder
        point, conditional on both still being what was read."""
        for _ in range(ATTEMPTS):
            with aws_errors_as_domain_errors():
                response = self._client.get_item(
                    TableName=self._table, Key=keys.item_key(sku), ConsistentRead=True
                )
            if "Item" not in response:
                return
            item = from_item(dict(response["Item"]))
            total, point = int(item.get("total_quantity", 0)), int(item.get("reorder_point", 0))
            if is_low(total, point) == ("low_pk" in item):
                return
            if self._set_low_flag(sku, total, point, is_low(total, point)):
                return
        raise Conflict(f"The low-stock flag of {sku} is busy; retry.")

    def low_stock(self) -> list[LowStockLine]:
        query = {
            "TableName": self._table,
            "IndexName": keys.LOW_STOCK_INDEX,
            "KeyConditionExpression": "low_pk = :low",
            "ExpressionAttributeValues": {":low": {"S": keys.LOW_STOCK}},
        }
        lines = []
        for record in query_all(self._client, query):
            item = from_item(record)
            lines.append(
                LowStockLine(
                    sku=item["sku"],
                    name=item.get("name", item["sku"]),
                    total_quantity=int(item.get("total_quantity", 0)),
                    reorder_point=int(item["reorder_point"]),
                )
            )
        return lines

    def locations(self) -> list[LocationLine]:
        query = {
            "TableName": self._table,
            "IndexName": keys.BY_TYPE_INDEX,
            "KeyConditionExpression": "type_pk = :type",
            "ExpressionAttributeValues": {":type": {"S": keys.LOCATION_TYPE}},
        }
        return [
            LocationLine(
                location_code=summary.get("location_code"),
                sku_count=int(summary.get("sku_count", 0)),
                total_quantity=int(summary.get("total_quantity", 0)),
            )
            for summary in map(from_item, query_all(self._client, query))
        ]

    def _marker(self, change: StockChange) -> dict[str, int]:
        with aws_errors_as_domain_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key=keys.projection_marker_key(change.sku, change.location_code),
                ConsistentRead=True,
            )
        marker = from_item(dict(response.get("Item", {})))
        return {
            "quantity": int(marker.get("quantity", 0)),
            "version": int(marker.get("version", 0)),
        }

    def _transact(self, change: StockChange, marked: dict[str, int], now: datetime) -> None:
        delta = change.quantity - marked["quantity"]
        count_delta = int(change.quantity > 0) - int(marked["quantity"] > 0)
        marker = Expression().set("quantity", change.quantity).set("version", change.version)
        marker.set("sku", change.sku)
        condition = (
            "attribute_not_exists(pk)"
            if marked["version"] == 0
            else f"{marker.name('version')} = {marker.value('marked', marked['version'])}"
        )
        item = Expression().add("total_quantity", delta)
        defaults: dict[str, str | int] = {"sku": change.sku, "name": change.sku, "unit": "each"}
        for name, default in (defaults | {"reorder_point": 0, "version": 1}).items():
            item.set_if_absent(name, default)  # the item may not exist yet (see ensure_item)
        item.set_if_absent("created_at", now.isoformat()).set_if_absent(
            "updated_at", now.isoformat()
        )
        item.set("type_pk", keys.ITEM_TYPE).set("type_sk", change.sku)
        summary = Expression().add("total_quantity", delta).add("sku_count", count_delta)
        summary.set("type_pk", keys.LOCATION_TYPE)
        summary.set("type_sk", change.location_code or keys.UNASSIGNED_SORT)
        if change.location_code:
            summary.set("location_code", change.location_code)
        updates = [
            (keys.projection_marker_key(change.sku, change.location_code), marker, condition),
            (keys.item_key(change.sku), item, None),
            (keys.location_summary_key(change.location_code), summary, None),
        ]
        with aws_errors_as_domain_errors():
            self._client.transact_write_items(
                TransactItems=[self._update(key, expr, cond) for key, expr, cond in updates]  # type: ignore[misc]
            )

    def _update(
        self, key: dict[str, Any], expression: Expression, condition: str | None
    ) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": key,
            "UpdateExpression": expression.update_expression(),
            **expression.arguments(),
        }
        if condition:
            update["ConditionExpression"] = condition
        return {"Update": update}

    def _set_low_flag(self, sku: str, total: int, point: int, low: bool) -> bool:
        expression = Expression()
        if low:
            expression.set("low_pk", keys.LOW_STOCK).set("low_sk", sku)
        else:
            expression.remove("low_pk").remove("low_sk")
        total_name, point_name = expression.name("total_quantity"), expression.name("reorder_point")
        seen_total = expression.value("seen_total", total)
        seen_point = expression.value("seen_point", point)
        condition = (
            f"(attribute_not_exists({total_name}) OR {total_name} = {seen_total}) "
            f"AND {point_name} = {seen_point}"
        )
        try:
            with aws_errors_as_domain_errors():
                self._client.update_item(
                    TableName=self._table,
                    Key=keys.item_key(sku),
                    UpdateExpression=expression.update_expression(),
                    ConditionExpression=condition,
                    **expression.arguments(),
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True
