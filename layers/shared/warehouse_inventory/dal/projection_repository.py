"""Report projections kept from the stock stream: per-SKU `total_quantity` on the item, per-
location `sku_count`/`total_quantity` summaries, and the sparse low-stock index.

Correct under redelivery and out-of-order delivery: a marker per (sku, location) holds the last
{quantity, version} the projections took in. A change applies only if its version is newer, and
its effect on the location summary is computed against the marker (new quantity - marked
quantity), not the stream's old image, so a skipped or reordered change cannot be lost or
counted twice.

A stream batch is taken in a few transactions (projection_batch.py plans them): per SKU one
consistent Query reads its item and every marker; one TransactWriteItems then moves the markers
(each conditional on its version as read), each location summary once (the deltas summed) and
each item's total, all together, so the item can never disagree with its markers. A concurrent
writer that moved any of them cancels the transaction, which reads again (transactions.py).

The item is master data: a projection never creates it (a deleted item stays deleted, and an
item absent when read is checked to be still absent when the markers move). Its total is not
added to but recomputed from all the SKU's markers, whenever it differs (also on redelivery, and
when its reorder point changes: `refresh_item`), so an item deleted and created again while the
projector lags still converges to the stock's total.
"""

from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory.dal import keys
from warehouse_inventory.dal.dynamodb import (
    aws_errors_as_domain_errors,
    from_item,
    is_condition_failure,
    query_all,
    query_page,
    side_by_side,
)
from warehouse_inventory.dal.expressions import Expression
from warehouse_inventory.dal.projection_batch import (
    Marked,
    Piece,
    StockKey,
    SummaryDelta,
    chunks,
    key_of,
)
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

ItemAndMarkers = tuple[dict[str, Any] | None, dict[str, Marked]]
"""A SKU's item (None when absent) and its markers by sort key, as read together."""


class ProjectionRepository:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def change_of(self, record: StreamRecord) -> StockChange | None:
        """The stock change a record of this table's stream carries; None for any other."""
        return stock_change(record)

    def apply(self, change: StockChange) -> bool:
        """Take one stock change in; False when it was already taken in (or is older)."""
        return self.apply_all([change])[key_of(change)]

    def apply_all(self, changes: Sequence[StockChange]) -> dict[StockKey, bool]:
        """Take changes in (of several of one stock record, the newest: each says "the quantity
        is now N"); per stock record, False when its change was already taken in. The items
        of their SKUs are brought up to date either way: a redelivery finishes the job."""
        outcomes: dict[StockKey, bool] = {}
        for chunk in chunks(changes):
            outcomes |= retry_while_busy(
                partial(self._take_in, chunk),
                f"Projections of {len(chunk)} SKUs are busy; the stream will retry.",
            )
        return outcomes

    def _take_in(self, chunk: list[Piece]) -> dict[StockKey, bool]:
        """One attempt: read the chunk's SKUs, then one transaction; Busy when it lost a race."""
        outcomes: dict[StockKey, bool] = {}
        deltas: dict[str | None, SummaryDelta] = {}
        reads = self._read_all([piece[0].sku for piece in chunk])
        actions = [
            action
            for piece in chunk
            for action in self._piece(piece, *reads[piece[0].sku], outcomes, deltas)
        ]
        actions += [
            {"Update": self._summary_update(location, delta)} for location, delta in deltas.items()
        ]
        if actions:
            self._transact(actions)
        return outcomes

    def _read_all(self, skus: list[str]) -> dict[str, ItemAndMarkers]:
        """Each SKU's item and markers, the Queries side by side (BatchGetItem reads keys, and
        the markers are a key range)."""
        return dict(zip(skus, side_by_side(self._item_and_markers, skus), strict=True))

    def _piece(
        self,
        piece: Piece,
        item: dict[str, Any] | None,
        markers: dict[str, Marked],
        outcomes: dict[StockKey, bool],
        deltas: dict[str | None, SummaryDelta],
    ) -> list[dict[str, Any]]:
        """A SKU's marker and item writes (its outcomes and summary deltas noted on the way),
        against its item and markers as read."""
        sku = piece[0].sku
        actions: list[dict[str, Any]] = []
        for change in piece:
            sort_key = keys.projection_marker_key(sku, change.location_code)["sk"]["S"]
            marked = markers.get(sort_key, Marked())
            outcomes[key_of(change)] = taken = change.version > marked.version
            if taken:
                actions.append({"Update": self._marker_update(change, marked)})
                deltas.setdefault(change.location_code, SummaryDelta()).add(change, marked)
                markers[sort_key] = Marked(change.quantity, change.version)
        return actions + self._item_actions(sku, item, markers.values(), moved=bool(actions))

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
            update = self._item_update(sku, item, markers.values(), exact=False)
            if update is None:
                return False
            if not self._set_item_projection(update):
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

    def _marker_update(self, change: StockChange, marked: Marked) -> dict[str, Any]:
        """The marker moved to the change, if it is still at the version read."""
        marker = Expression().set("quantity", change.quantity).set("version", change.version)
        marker.set("sku", change.sku)
        condition = (
            "attribute_not_exists(pk)"
            if marked.version == 0
            else f"{marker.name('version')} = {marker.value('marked', marked.version)}"
        )
        marker_key = keys.projection_marker_key(change.sku, change.location_code)
        return marker.update(self._table, marker_key, condition)

    def _summary_update(self, location_code: str | None, delta: SummaryDelta) -> dict[str, Any]:
        summary = Expression().add("total_quantity", delta.total_quantity)
        summary.add("sku_count", delta.sku_count)
        summary.set("type_pk", keys.LOCATION_TYPE)
        summary.set("type_sk", location_code or keys.UNASSIGNED_SORT)
        if location_code:
            summary.set("location_code", location_code)
        return summary.update(self._table, keys.location_summary_key(location_code))

    def _item_actions(
        self, sku: str, item: dict[str, Any] | None, markers: Iterable[Marked], moved: bool
    ) -> list[dict[str, Any]]:
        """The item's new total, when it differs, conditional on the item being as read; for an
        absent item whose markers move, a check that it is still absent (one created meanwhile
        makes the transaction read again, and take its total in)."""
        if item is None:
            if not moved:
                return []
            absent = {"ConditionExpression": "attribute_not_exists(pk)"}
            return [
                {"ConditionCheck": {"TableName": self._table, "Key": keys.item_key(sku)} | absent}
            ]
        update = self._item_update(sku, item, markers, exact=True)
        return [] if update is None else [{"Update": update}]

    def _item_update(
        self, sku: str, item: dict[str, Any], markers: Iterable[Marked], exact: bool
    ) -> dict[str, Any] | None:
        """The write of the item's total, seen versions and low-stock keys, or None when they
        are already right. Conditional on the item existing with the reorder point read, and on
        its `projected_versions`: equal to what was read (`exact`, in a transaction that moves
        markers: another writer may have moved a marker this one did not read), else at most
        the new sum (a refresh: a newer one wins)."""
        marked = list(markers)
        total = sum(marker.quantity for marker in marked)
        seen = sum(marker.version for marker in marked)
        point = int(item.get("reorder_point", 0))
        current = (item.get("total_quantity"), item.get("projected_versions"), "low_pk" in item)
        if current == (total, seen, is_low(total, point)):
            return None
        expression = Expression().set("total_quantity", total).set("projected_versions", seen)
        if is_low(total, point):
            expression.set("low_pk", keys.LOW_STOCK).set("low_sk", sku)
        else:
            expression.remove("low_pk").remove("low_sk")
        seen_name = expression.name("projected_versions")
        point_name, point_value = expression.name("reorder_point"), expression.value("point", point)
        condition = f"attribute_exists(pk) AND {point_name} = {point_value} AND "
        read = item.get("projected_versions")
        if not exact:
            condition += f"(attribute_not_exists({seen_name}) OR {seen_name} <= "
            condition += f"{expression.value('seen', seen)})"
        elif read is None:
            condition += f"attribute_not_exists({seen_name})"
        else:
            condition += f"{seen_name} = {expression.value('read', int(read))}"
        return expression.update(self._table, keys.item_key(sku), condition)

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        """Busy when the transaction lost a race (a condition or another transaction)."""
        try:
            with aws_errors_as_domain_errors():
                self._client.transact_write_items(TransactItems=actions)  # type: ignore[arg-type]
        except ClientError as exc:
            reasons = cancellation_reasons(exc)
            if reasons is None:
                raise
            raise_if_throttled(exc, reasons)
            raise Busy from exc  # another writer moved a record meanwhile: read again

    def _item_and_markers(self, sku: str) -> ItemAndMarkers:
        """The item and every marker (by sort key), in one consistent Query: the item's sort
        key and the markers' are adjacent (keys.py: the item sorts first, the markers up to
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
        item, markers = None, {}
        for record in map(from_item, query_all(self._client, query)):
            if record["sk"] == keys.ITEM_SK:
                item = record
            else:
                markers[record["sk"]] = Marked(int(record["quantity"]), int(record["version"]))
        return item, markers

    def _set_item_projection(self, update: dict[str, Any]) -> bool:
        """False when the update's condition failed."""
        try:
            with aws_errors_as_domain_errors():
                self._client.update_item(**update)
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True
