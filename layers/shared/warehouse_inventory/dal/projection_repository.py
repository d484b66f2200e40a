"""Report projections kept from the stock stream: per-SKU `total_quantity` on the item, per-
location `sku_count`/`total_quantity` summaries, and the sparse low-stock index.

Correct under redelivery and out-of-order delivery: a marker per (sku, location) holds the last
{quantity, version} the projections took in. A change applies only if its version is newer, and
its effect on the location summary is computed against the marker (new quantity - marked
quantity), not the stream's old image, so a skipped or reordered change cannot be lost or
counted twice. The marker and the location summary move together in one transaction,
conditional on the marker being what was read (a concurrent projector retries).

The item is master data: a projection never creates it (a deleted item stays deleted). Its
total is not added to but recomputed from the SKU's markers by `refresh_item` after every
change (and on redelivery, and when its reorder point changes), so an item deleted and created
again while the projector lags still converges to the stock's total.
"""

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory.dal import keys
from warehouse_inventory.dal.dynamodb import (
    aws_errors_as_domain_errors,
    from_item,
    is_condition_failure,
    query_all,
    query_page,
)
from warehouse_inventory.dal.expressions import Expression
from warehouse_inventory.dal.stream_records import StreamRecord, stock_change
from warehouse_inventory.dal.transactions import (
    Busy,
    cancellation_reasons,
    raise_if_throttled,
    retry_while_busy,
)
from warehouse_inventory.domain.paging import Page, PageKey
from warehouse_inventory.domain.reports import LocationLine, LowStockLine, StockChange, is_low

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class ProjectionRepository:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def change_of(self, record: StreamRecord) -> StockChange | None:
        """The stock change a record of this table's stream carries; None for any other."""
        return stock_change(record)

    def apply(self, change: StockChange) -> bool:
        """Take one stock change in, then refresh the item; False when the change was already
        taken in (or is older). The refresh runs either way: a delivery whose transaction
        committed but whose refresh failed is delivered again, and must finish the job."""
        taken_in = self._take_in(change)
        self.refresh_item(change.sku)
        return taken_in

    def _take_in(self, change: StockChange) -> bool:
        def attempt() -> bool:
            marked = self._marker(change)
            if change.version <= marked["version"]:
                return False
            try:
                self._transact(change, marked)
            except ClientError as exc:
                reasons = cancellation_reasons(exc)
                if reasons is None:
                    raise
                raise_if_throttled(exc, reasons)
                raise Busy from exc  # another projector moved the marker meanwhile: read again
            return True

        return retry_while_busy(
            attempt, f"Projections of {change.sku} are busy; the stream will retry."
        )

    def refresh_item(self, sku: str) -> bool:
        """Set the item's total (the sum of its markers) and low-stock index keys, if the item
        exists; True when something changed. Idempotent, so safe to run any number of times.

        The write is conditional on the reorder point it read and on a newer or equal
        `projected_versions` (the sum of the markers' versions, which only grows): a refresh
        that read older markers cannot overwrite a newer one's total. Either condition failing
        means read again (transactions.py)."""

        def attempt() -> bool:
            item, markers = self._item_and_markers(sku)
            if item is None:
                return False
            total = sum(quantity for quantity, _ in markers)
            seen = sum(version for _, version in markers)
            point = int(item.get("reorder_point", 0))
            current = (item.get("total_quantity"), item.get("projected_versions"), "low_pk" in item)
            if current == (total, seen, is_low(total, point)):
                return False
            if not self._set_item_projection(sku, total, seen, point):
                raise Busy
            return True

        return retry_while_busy(attempt, f"The projections of item {sku} are busy; retry.")

    def low_stock(self, limit: int, start: PageKey | None) -> Page[LowStockLine, PageKey]:
        """By SKU: the sparse index's sort key."""
        query = {
            "TableName": self._table,
            "IndexName": keys.LOW_STOCK_INDEX,
            "KeyConditionExpression": "low_pk = :low",
            "ExpressionAttributeValues": {":low": {"S": keys.LOW_STOCK}},
        }
        names = keys.index_key_names(keys.LOW_STOCK_INDEX)
        page = query_page(self._client, query, limit, start, names)
        lines = [
            LowStockLine(
                sku=item["sku"],
                name=item["name"],
                total_quantity=int(item.get("total_quantity", 0)),
                reorder_point=int(item["reorder_point"]),
            )
            for item in map(from_item, page.items)
        ]
        return Page(items=lines, next=page.next)

    def locations(self, limit: int, start: PageKey | None) -> Page[LocationLine, PageKey]:
        """By location code, unassigned stock last (its index sort key is UNASSIGNED_SORT)."""
        query = {
            "TableName": self._table,
            "IndexName": keys.BY_TYPE_INDEX,
            "KeyConditionExpression": "type_pk = :type",
            "ExpressionAttributeValues": {":type": {"S": keys.LOCATION_TYPE}},
        }
        names = keys.index_key_names(keys.BY_TYPE_INDEX)
        page = query_page(self._client, query, limit, start, names)
        lines = [
            LocationLine(
                location_code=summary.get("location_code"),
                sku_count=int(summary.get("sku_count", 0)),
                total_quantity=int(summary.get("total_quantity", 0)),
            )
            for summary in map(from_item, page.items)
        ]
        return Page(items=lines, next=page.next)

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

    def _transact(self, change: StockChange, marked: dict[str, int]) -> None:
        delta = change.quantity - marked["quantity"]
        count_delta = int(change.quantity > 0) - int(marked["quantity"] > 0)
        marker = Expression().set("quantity", change.quantity).set("version", change.version)
        marker.set("sku", change.sku)
        condition = (
            "attribute_not_exists(pk)"
            if marked["version"] == 0
            else f"{marker.name('version')} = {marker.value('marked', marked['version'])}"
        )
        summary = Expression().add("total_quantity", delta).add("sku_count", count_delta)
        summary.set("type_pk", keys.LOCATION_TYPE)
        summary.set("type_sk", change.location_code or keys.UNASSIGNED_SORT)
        if change.location_code:
            summary.set("location_code", change.location_code)
        marker_key = keys.projection_marker_key(change.sku, change.location_code)
        transaction = [
            {"Update": marker.update(self._table, marker_key, condition)},
            {
                "Update": summary.update(
                    self._table, keys.location_summary_key(change.location_code)
                )
            },
        ]
        with aws_errors_as_domain_errors():
            self._client.transact_write_items(TransactItems=transaction)  # type: ignore[arg-type]

    def _item_and_markers(self, sku: str) -> tuple[dict[str, Any] | None, list[tuple[int, int]]]:
        """The item and every marker's (quantity, version), in one consistent Query: the item's
        sort key and the markers' are adjacent (keys.py: the item sorts first, the markers up to
        PROJECTION_SK_END, the stock records after)."""
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :item AND :markers_end",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.sku_pk(sku)},
                ":item": {"S": keys.ITEM_SK},
                ":markers_end": {"S": keys.PROJECTION_SK_END},
            },
            "ConsistentRead": True,
        }
        item, markers = None, []
        for record in map(from_item, query_all(self._client, query)):
            if record["sk"] == keys.ITEM_SK:
                item = record
            else:
                markers.append((int(record["quantity"]), int(record["version"])))
        return item, markers

    def _set_item_projection(self, sku: str, total: int, seen: int, point: int) -> bool:
        expression = Expression().set("total_quantity", total).set("projected_versions", seen)
        if is_low(total, point):
            expression.set("low_pk", keys.LOW_STOCK).set("low_sk", sku)
        else:
            expression.remove("low_pk").remove("low_sk")
        seen_name, seen_value = (
            expression.name("projected_versions"),
            expression.value("seen", seen),
        )
        point_name, point_value = expression.name("reorder_point"), expression.value("point", point)
        condition = (
            f"attribute_exists(pk) AND {point_name} = {point_value} AND "
            f"(attribute_not_exists({seen_name}) OR {seen_name} <= {seen_value})"
        )
        update = expression.update(self._table, keys.item_key(sku), condition)
        try:
            with aws_errors_as_domain_errors():
                self._client.update_item(**update)
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True
