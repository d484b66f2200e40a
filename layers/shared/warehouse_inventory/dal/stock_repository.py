"""InventoryRepository on DynamoDB: stock reads here, each movement's write in stock_writes.py.

Each movement is one write that also sets `last_movement`, so the table's stream carries the
movement: restock, pick and adjust are one UpdateItem each; a transfer, and a batch of
movements, one TransactWriteItems of the same writes.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory.dal import keys
from warehouse_inventory.dal.dynamodb import (
    Record,
    aws_errors_as_domain_errors,
    error_code,
    from_item,
    is_condition_failure,
    query_all,
    query_page,
    side_by_side,
)
from warehouse_inventory.dal.expressions import Expression
from warehouse_inventory.dal.retry_guard import held_slot, replaced_quantity, transaction_token
from warehouse_inventory.dal.stock_writes import (
    StockWrite,
    adjust_write,
    pick_write,
    restock_write,
    stock_level,
    writes_of,
)
from warehouse_inventory.dal.transactions import (
    Busy,
    cancellation_reasons,
    lost_race,
    raise_if_throttled,
    retry_while_busy,
)
from warehouse_inventory.domain.errors import RefusedEntry, ServiceUnavailable
from warehouse_inventory.domain.items import default_fields
from warehouse_inventory.domain.paging import Page, PageKey
from warehouse_inventory.domain.stock import (
    Adjust,
    Adjustment,
    MovementMeta,
    MovementOutcome,
    SkuStock,
    StockLevel,
    StockMovement,
    Transfer,
    records_of,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_TRANSACTION_ACTIONS = 100
HELD_BY_TRANSACTION = "TransactionConflictException"


class AppliedBefore(Exception):
    """The write's retry guard failed: an earlier attempt at this operation applied, so this
    one must not. `record` is the record as it is now (ALL_OLD of the refused attempt)."""

    def __init__(self, record: Record) -> None:
        super().__init__("applied by an earlier attempt")
        self.record = record


def change_fingerprint(changes: Sequence[StockMovement]) -> str:
    """What a batch asks for, without when or by whom: the same for every attempt at the same
    request, different for another request under the same operation (a client that resends a
    refused batch without its refused entry, under the same Idempotency-Key)."""
    described = []
    for change in changes:
        fields = asdict(change)
        fields.pop("movement", None)
        fields.pop("movements", None)
        described.append([type(change).__name__, fields])
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


class DynamoDBInventoryRepository:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def apply_restock(
        self, sku: str, location_code: str | None, quantity: int, movement: MovementMeta
    ) -> StockLevel:
        try:
            return stock_level(self._update(restock_write(sku, location_code, quantity, movement)))
        except AppliedBefore as earlier:
            return stock_level(earlier.record)

    def apply_pick(
        self, sku: str, location_code: str | None, quantity: int, movement: MovementMeta
    ) -> StockLevel:
        try:
            return stock_level(self._update(pick_write(sku, location_code, quantity, movement)))
        except AppliedBefore as earlier:
            return stock_level(earlier.record)

    def apply_adjust(
        self,
        sku: str,
        location_code: str | None,
        counted: int,
        movement: MovementMeta,
        expected_version: int | None,
    ) -> Adjustment:
        """ALL_OLD is the exact level the count replaced, hence the delta; a recognised retry
        answers the same delta from what the write kept (and the level as it is now)."""
        write = adjust_write(sku, location_code, counted, movement, expected_version)
        try:
            old = from_item(self._update(write, "ALL_OLD"))
        except AppliedBefore as earlier:
            return self._adjustment(earlier.record, counted, movement.operation)
        level = StockLevel(
            sku=sku,
            location_code=location_code,
            quantity=counted,
            version=int(old.get("version", 0)) + 1,
            updated_at=movement.occurred_at,
        )
        return Adjustment(level=level, delta=counted - int(old.get("quantity", 0)))

    def apply_transfer(
        self,
        sku: str,
        source: str | None,
        destination: str | None,
        quantity: int,
        movements: tuple[MovementMeta, MovementMeta],
    ) -> tuple[StockLevel, StockLevel]:
        """Both legs in one TransactWriteItems: a batch of one transfer."""
        transfer = Transfer(sku, source, destination, quantity, movements)
        try:
            (levels,) = self.apply_batch([transfer])
        except RefusedEntry as refused:
            raise refused.error from refused
        assert isinstance(levels, tuple)
        return levels

    def apply_batch(self, changes: Sequence[StockMovement]) -> list[MovementOutcome]:
        """Every change or none, in one TransactWriteItems of the changes' own writes (each
        with its `last_movement` and the retry guard); then every record is read back, since a
        transaction returns no values (`_read_records`, docs/idempotency.md). A recognised
        retry answers the same way. RefusedEntry names the first change that cannot apply."""
        writes = [write for change in changes for write in writes_of(change)]
        if len(writes) > MAX_TRANSACTION_ACTIONS:
            raise ValueError(f"{len(writes)} writes: a transaction takes 100 at most")
        entry_of = [index for index, change in enumerate(changes) for _ in records_of(change)]
        operation = writes[0].operation
        self._transact(writes, entry_of, transaction_token(operation, change_fingerprint(changes)))
        records = iter(self._read_records([write.key for write in writes]))
        outcomes: list[MovementOutcome] = []
        for change in changes:
            if isinstance(change, Transfer):
                outcomes.append((stock_level(next(records)), stock_level(next(records))))
            elif isinstance(change, Adjust):
                outcomes.append(self._adjustment(next(records), change.counted, operation))
            else:
                outcomes.append(stock_level(next(records)))
        return outcomes

    def ensure_item(self, sku: str, now: datetime) -> None:
        """Every attribute is `if_not_exists`, so an existing item keeps its master data.

        `stock_records` counts the restocks and adjusts of the SKU (each ensures its item after
        its stock write): a DELETE of the item is conditional on it, so one that lands meanwhile
        cancels the delete (409), or, landing after it, creates the item again.

        The projector's transactions write items too: a write refused because one held the
        item (TransactionConflictException: not applied) is tried again, as a lost race is.
        """

        def attempt() -> None:
            try:
                with aws_errors_as_domain_errors():
                    self._client.update_item(**self._item_upkeep(sku, now))
            except ServiceUnavailable as exc:
                cause = exc.__cause__
                if isinstance(cause, ClientError) and error_code(cause) == HELD_BY_TRANSACTION:
                    raise Busy from exc
                raise

        retry_while_busy(attempt, f"The item {sku} is busy; retry.")

    def ensure_items(self, skus: Sequence[str], now: datetime) -> None:
        """`ensure_item` of several SKUs in one TransactWriteItems per 100 (one round trip,
        where a batch of movements would otherwise wait for one write per SKU). The writes have
        no condition, so only a race with another transaction on an item can cancel them."""
        distinct = sorted(set(skus))
        for start in range(0, len(distinct), MAX_TRANSACTION_ACTIONS):
            chunk = distinct[start : start + MAX_TRANSACTION_ACTIONS]
            items = [{"Update": self._item_upkeep(sku, now)} for sku in chunk]

            def attempt(items: list[dict[str, Any]] = items) -> None:
                try:
                    with aws_errors_as_domain_errors():
                        self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
                except ClientError as exc:
                    reasons = cancellation_reasons(exc)
                    if reasons is not None and lost_race(reasons):
                        raise Busy from exc
                    raise

            retry_while_busy(attempt, "The items are busy.")

    def _item_upkeep(self, sku: str, now: datetime) -> dict[str, Any]:
        expression = Expression().add("stock_records", 1)
        fields = asdict(default_fields(sku))
        created = {"sku": sku, "version": 1, "created_at": now.isoformat()}
        for name, value in (fields | created).items():
            if value is not None:
                expression.set_if_absent(name, value)
        expression.set_if_absent("updated_at", now.isoformat())
        expression.set("type_pk", keys.ITEM_TYPE).set("type_sk", sku)
        return expression.update(self._table, keys.item_key(sku))

    def sku_stock(self, sku: str) -> SkuStock:
        """One consistent Query over the SKU's partition: its item and every stock record."""
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.sku_pk(sku)}},
            "ConsistentRead": True,
        }
        items = list(query_all(self._client, query))
        levels = [stock_level(item) for item in items if keys.is_stock_record(item["sk"]["S"])]
        return SkuStock(sku=sku, levels=levels, known=bool(items))

    def list_stock(
        self, location_code: str | None, limit: int, start: PageKey | None
    ) -> Page[StockLevel, PageKey]:
        if location_code:
            index, condition = keys.BY_LOCATION_INDEX, "loc_pk = :pk"
            partition = keys.location_index_pk(location_code)
        else:
            index, condition, partition = keys.BY_TYPE_INDEX, "type_pk = :pk", keys.STOCK_TYPE
        query = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": {":pk": {"S": partition}},
        }
        page = query_page(self._client, query, limit, start, keys.index_key_names(index))
        return Page(items=[stock_level(item) for item in page.items], next=page.next)

    def _update(self, write: StockWrite, return_values: str = "ALL_NEW") -> Record:
        """One UpdateItem of the write: the record it returns. boto3 retries timeouts and 5xx
        answers, and a client retries a 503 with its Idempotency-Key, after either of which the
        first attempt may have applied: then the guard fails and AppliedBefore says so."""
        request = write.request(self._table, ReturnValues=return_values)
        try:
            with aws_errors_as_domain_errors():
                response = self._client.update_item(**request)
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            record: Record | None = exc.response.get("Item")  # type: ignore[assignment]
            if held_slot(record, write.operation):
                raise AppliedBefore(dict(record or {})) from exc
            if write.refusal is None:
                raise
            raise write.refusal(record) from exc
        return dict(response.get("Attributes", {}))

    @staticmethod
    def _adjustment(record: Record, counted: int, operation: str) -> Adjustment:
        """An applied count, from its record: the level as it is now, and the delta from the
        quantity the count replaced, which its write kept beside its retry slots."""
        try:
            replaced = replaced_quantity(record, operation)
        except ValueError as exc:  # later writes took both slots: the delta is gone
            raise ServiceUnavailable(
                "The count applied, but its delta could not be read back."
            ) from exc
        return Adjustment(level=stock_level(record), delta=counted - replaced)

    def _transact(self, writes: list[StockWrite], entry_of: list[int], token: str) -> None:
        """Returns once the operation's transaction has applied, now or in an earlier attempt.

        An earlier attempt is recognised by its ClientRequestToken (DynamoDB keeps the token of
        a transaction that succeeded for 10 minutes and answers IdempotentParameterMismatch when
        a retry's parameters differ: its timestamps and request id do), or after that by a retry
        slot on any of its records (the transaction applied all of them or none). The first
        write whose own condition failed names the refused entry (`entry_of` maps each write to
        its entry); a lost race is retried (transactions.py)."""
        operation = writes[0].operation
        items = [{"Update": write.request(self._table)} for write in writes]

        def attempt() -> None:
            try:
                with aws_errors_as_domain_errors():
                    self._client.transact_write_items(
                        TransactItems=items,  # type: ignore[arg-type]
                        ClientRequestToken=token,
                    )
            except ClientError as exc:
                if error_code(exc) == "IdempotentParameterMismatchException":
                    return
                reasons = cancellation_reasons(exc)
                if reasons is None:
                    raise
                if any(held_slot(reason.get("Item"), operation) for reason in reasons):
                    return
                raise_if_throttled(exc, reasons)
                for position, reason in enumerate(reasons):
                    refusal = writes[position].refusal
                    if reason.get("Code") == "ConditionalCheckFailed" and refusal:
                        error = refusal(reason.get("Item"))
                        raise RefusedEntry(entry_of[position], error) from exc
                if lost_race(reasons):
                    raise Busy from exc
                raise

        retry_while_busy(attempt, "The records are busy; retry the movement.")

    def _read_records(self, record_keys: list[dict[str, Any]]) -> list[Record]:
        """Every record, read back after the commit: per SKU one consistent Query of the sort keys
        from the first to the last record wanted (a SKU's stock records are one partition,
        ordered by location; the ones in between come along), the Queries side by side.

        Not TransactGetItems: it costs 2 read units per record where a Query costs 1 per 4 KB,
        a write in flight on one of the records cancels it (TransactionConflict, after the
        batch committed), and on DynamoDB Local each of its keys waits behind every transaction
        in flight (100 keys: 0.9-6.8 s under concurrent transactions, against 0.2-0.4 s for 20
        Queries; docs/performance.md, "Bulk import"). Each level is as read after the commit,
        not all of them at one instant (docs/api.md, "Results")."""
        wanted: dict[str, list[str]] = {}
        for key in record_keys:
            wanted.setdefault(key["pk"]["S"], []).append(key["sk"]["S"])
        found: dict[tuple[str, str], Record] = {}
        for records in side_by_side(self._records_between, list(wanted.items())):
            found |= {(r["pk"]["S"], r["sk"]["S"]): dict(r) for r in records}
        try:
            return [found[(key["pk"]["S"], key["sk"]["S"])] for key in record_keys]
        except KeyError as exc:  # a record the transaction wrote cannot vanish: never expected
            raise ServiceUnavailable("The movements applied, but could not be read back.") from exc

    def _records_between(self, partition: tuple[str, list[str]]) -> list[Record]:
        """The partition's records from the first to the last of the sort keys given."""
        pk, sort_keys = partition
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":pk": {"S": pk},
                ":first": {"S": min(sort_keys)},
                ":last": {"S": max(sort_keys)},
            },
            "ConsistentRead": True,
        }
        return list(query_all(self._client, query))
