"""InventoryRepository on DynamoDB: every stock expression lives here.

Each movement is one write that also sets `last_movement`, so the table's stream carries the
movement: restock, pick and adjust are one UpdateItem each, a transfer one TransactWriteItems.
"""

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory.dal import keys
from warehouse_inventory.dal.dynamodb import (
    aws_errors_as_domain_errors,
    error_code,
    from_item,
    is_condition_failure,
    query_all,
    query_page,
    to_attribute,
)
from warehouse_inventory.dal.expressions import Expression
from warehouse_inventory.dal.retry_guard import (
    held_slot,
    not_a_retry,
    remember,
    remember_replaced_quantity,
    replaced_quantity,
    transaction_token,
)
from warehouse_inventory.dal.transactions import (
    Busy,
    cancellation_reasons,
    lost_race,
    raise_if_throttled,
    retry_while_busy,
)
from warehouse_inventory.domain.errors import (
    InsufficientStock,
    NotFound,
    PreconditionFailed,
)
from warehouse_inventory.domain.items import default_fields
from warehouse_inventory.domain.paging import Page, PageKey
from warehouse_inventory.domain.stock import Adjustment, MovementMeta, SkuStock, StockLevel

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def movement_attribute(movement: MovementMeta) -> dict[str, Any]:
    fields = asdict(movement) | {
        "operation_id": None,  # remembered by the retry slots, not part of the movement
        "type": str(movement.type),
        "occurred_at": movement.occurred_at.isoformat(),
    }
    return to_attribute({name: value for name, value in fields.items() if value is not None})


def stock_level(item: dict[str, Any]) -> StockLevel:
    record = from_item(item)
    return StockLevel(
        sku=record["sku"],
        location_code=record.get("location_code"),
        quantity=int(record["quantity"]),
        version=int(record["version"]),
        updated_at=datetime.fromisoformat(record["updated_at"]),
    )


def movement_expression(sku: str, location_code: str | None, movement: MovementMeta) -> Expression:
    """What every stock write sets besides the quantity: identity, index keys, version + 1, the
    movement, and the operation id in its retry slots (see `_update_stock`)."""
    expression = Expression().set("sku", sku).set("updated_at", movement.occurred_at.isoformat())
    for name, value in keys.stock_index_attributes(sku, location_code).items():
        expression.set(name, value)
    if location_code:
        expression.set("location_code", location_code)
    expression.add("version", 1).set("last_movement", movement_attribute(movement))
    return remember(expression, movement.operation)


def own_earlier_write(exc: ClientError, movement: MovementMeta) -> dict[str, Any] | None:
    """The record (as it is now) when the failed condition was the retry guard: an earlier
    attempt at this operation applied, so this one must not."""
    item: dict[str, Any] = exc.response.get("Item") or {}  # type: ignore[assignment]
    return item if held_slot(item, movement.operation) else None


def shortage(
    item: dict[str, Any] | None, sku: str, location_code: str | None, requested: int
) -> NotFound | InsufficientStock:
    """Why stock could not be taken, from the record as the failed condition saw it."""
    if not item:
        where = f"at {location_code}" if location_code else "unassigned"
        return NotFound(f"No stock of {sku} {where}.")
    return InsufficientStock(available=int(from_item(item)["quantity"]), requested=requested)


class DynamoDBInventoryRepository:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def apply_restock(
        self, sku: str, location_code: str | None, quantity: int, movement: MovementMeta
    ) -> StockLevel:
        """ADD is atomic under any concurrency: no read first."""
        expression = movement_expression(sku, location_code, movement).add("quantity", quantity)
        try:
            return stock_level(
                self._update_stock(sku, location_code, expression, movement, "ALL_NEW")
            )
        except ClientError as exc:
            return self._retried(exc, movement)

    def apply_pick(
        self, sku: str, location_code: str | None, quantity: int, movement: MovementMeta
    ) -> StockLevel:
        """`quantity >= :n` guards the decrement; the failed condition reports what was there."""
        expression = movement_expression(sku, location_code, movement)
        quantity_name = expression.name("quantity")
        wanted = expression.value("quantity", quantity)
        expression.set_raw(f"{quantity_name} = {quantity_name} - {wanted}")
        condition = f"attribute_exists(pk) AND {quantity_name} >= {wanted}"
        try:
            return stock_level(
                self._update_stock(sku, location_code, expression, movement, "ALL_NEW", condition)
            )
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            if own := own_earlier_write(exc, movement):
                return stock_level(own)
            failed = exc.response.get("Item")
            raise shortage(failed, sku, location_code, quantity) from exc  # type: ignore[arg-type]

    def apply_adjust(
        self,
        sku: str,
        location_code: str | None,
        counted: int,
        movement: MovementMeta,
        expected_version: int | None,
    ) -> Adjustment:
        """SET the counted quantity; ALL_OLD is the exact level it replaced, hence the delta.

        The write also keeps what it replaced beside its retry slots, so a recognised retry
        answers the same delta (and the level as it is now)."""
        expression = movement_expression(sku, location_code, movement).set("quantity", counted)
        remember_replaced_quantity(expression, movement.operation)
        condition = None
        if expected_version is not None:
            version = expression.name("version")
            condition = f"{version} = {expression.value('expected_version', expected_version)}"
        try:
            old = self._update_stock(sku, location_code, expression, movement, "ALL_OLD", condition)
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            if own := own_earlier_write(exc, movement):
                replaced = replaced_quantity(own, movement.operation)
                return Adjustment(level=stock_level(own), delta=counted - replaced)
            current = from_item(exc.response.get("Item") or {})  # type: ignore[arg-type]
            raise PreconditionFailed(
                f"Version {expected_version} is stale; the record is at version "
                f"{int(current.get('version', 0))}."
            ) from exc
        before = from_item(old)
        level = StockLevel(
            sku=sku,
            location_code=location_code,
            quantity=counted,
            version=int(before.get("version", 0)) + 1,
            updated_at=movement.occurred_at,
        )
        return Adjustment(level=level, delta=counted - int(before.get("quantity", 0)))

    def apply_transfer(
        self,
        sku: str,
        source: str | None,
        destination: str | None,
        quantity: int,
        movements: tuple[MovementMeta, MovementMeta],
    ) -> tuple[StockLevel, StockLevel]:
        """Both legs in one TransactWriteItems, each with the retry guard; the response is a
        consistent read right after (also when an earlier attempt applied the transfer)."""
        leaving, arriving = movements
        operation = leaving.operation
        out = movement_expression(sku, source, leaving)
        quantity_name, wanted = out.name("quantity"), out.value("quantity", quantity)
        out.set_raw(f"{quantity_name} = {quantity_name} - {wanted}")
        into = movement_expression(sku, destination, arriving).add("quantity", quantity)
        on_hand = f"attribute_exists(pk) AND {quantity_name} >= {wanted}"
        transaction = [
            self._transact_update(
                sku, source, out, f"({not_a_retry(out, operation)}) AND {on_hand}"
            ),
            self._transact_update(sku, destination, into, not_a_retry(into, operation)),
        ]
        self._transact(transaction, operation, (sku, source, quantity))
        return self._read_pair(sku, source, destination)

    def ensure_item(self, sku: str, now: datetime) -> None:
        """Every attribute is `if_not_exists`, so an existing item keeps its master data.

        `stock_records` counts the restocks and adjusts of the SKU (each ensures its item after
        its stock write): a DELETE of the item is conditional on it, so one that lands meanwhile
        cancels the delete (409), or, landing after it, creates the item again.
        """
        expression = Expression().add("stock_records", 1)
        fields = asdict(default_fields(sku))
        created = {"sku": sku, "version": 1, "created_at": now.isoformat()}
        for name, value in (fields | created).items():
            if value is not None:
                expression.set_if_absent(name, value)
        expression.set_if_absent("updated_at", now.isoformat())
        expression.set("type_pk", keys.ITEM_TYPE).set("type_sk", sku)
        with aws_errors_as_domain_errors():
            self._client.update_item(**expression.update(self._table, keys.item_key(sku)))

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

    def _update_stock(
        self,
        sku: str,
        location_code: str | None,
        expression: Expression,
        movement: MovementMeta,
        return_values: str,
        condition: str | None = None,
    ) -> dict[str, Any]:
        """One UpdateItem of a stock record under the retry guard (retry_guard.py): boto3
        retries timeouts and 5xx answers, and a client retries a 503 with its Idempotency-Key,
        after either of which the first attempt may have applied."""
        guard = not_a_retry(expression, movement.operation)
        guarded = f"({guard})" + (f" AND ({condition})" if condition else "")
        key = keys.stock_key(sku, location_code)
        request = expression.update(
            self._table,
            key,
            guarded,
            ReturnValues=return_values,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        with aws_errors_as_domain_errors():
            response = self._client.update_item(**request)
        return dict(response.get("Attributes", {}))

    @staticmethod
    def _retried(exc: ClientError, movement: MovementMeta) -> StockLevel:
        if is_condition_failure(exc) and (own := own_earlier_write(exc, movement)):
            return stock_level(own)
        raise exc

    def _transact_update(
        self, sku: str, location_code: str | None, expression: Expression, condition: str
    ) -> dict[str, Any]:
        key = keys.stock_key(sku, location_code)
        update = expression.update(
            self._table, key, condition, ReturnValuesOnConditionCheckFailure="ALL_OLD"
        )
        return {"Update": update}

    def _transact(
        self, items: list[dict[str, Any]], operation: str, taken: tuple[str, str | None, int]
    ) -> None:
        """Returns once the operation's transaction has applied, now or in an earlier attempt.

        An earlier attempt is recognised by its ClientRequestToken (DynamoDB keeps the token of
        a transaction that succeeded for 10 minutes and answers IdempotentParameterMismatch when
        a retry's parameters differ: its timestamps and request id do), or after that by a retry
        slot on either record (the transaction applied both legs or neither). The source leg's
        failed condition says which error; a lost race is retried (transactions.py)."""
        token = transaction_token(operation)

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
                if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    raise shortage(reasons[0].get("Item"), *taken) from exc
                if lost_race(reasons):
                    raise Busy from exc
                raise

        retry_while_busy(attempt, "The records are busy; retry the transfer.")

    def _read_pair(
        self, sku: str, source: str | None, destination: str | None
    ) -> tuple[StockLevel, StockLevel]:
        with aws_errors_as_domain_errors():
            response = self._client.transact_get_items(
                TransactItems=[
                    {"Get": {"TableName": self._table, "Key": keys.stock_key(sku, location)}}
                    for location in (source, destination)
                ]
            )
        first, second = (stock_level(entry["Item"]) for entry in response["Responses"])
        return first, second
