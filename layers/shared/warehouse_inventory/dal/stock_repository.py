"""InventoryRepository on DynamoDB: every stock expression lives here (principle 4).

Each movement is one write that also sets `last_movement`, so the table's stream carries the
movement: restock, pick and adjust are one UpdateItem each, a transfer one TransactWriteItems.
"""

import random
import time
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory.dal import keys
from warehouse_inventory.dal.expressions import (
    Expression,
    PageKey,
    aws_errors_as_domain_errors,
    error_code,
    from_item,
    is_condition_failure,
    query_all,
    query_page,
    to_attribute,
)
from warehouse_inventory.dal.retry_guard import (
    held_slot,
    not_a_retry,
    remember,
    remember_replaced_quantity,
    replaced_quantity,
    transaction_token,
)
from warehouse_inventory.domain.errors import (
    Conflict,
    InsufficientStock,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
)
from warehouse_inventory.domain.stock import MovementMeta, SkuStock, StockLevel
from warehouse_inventory.services.ports import Adjustment, StockPage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TRANSACTION_ATTEMPTS = 4
RETRY_BASE_SECONDS = 0.05


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
            raise self._shortage(exc.response.get("Item"), quantity) from exc  # type: ignore[arg-type]

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
        self._transact(transaction, operation, quantity)
        return self._read_pair(sku, source, destination)

    def ensure_item(self, sku: str, now: datetime) -> None:
        """Every attribute is `if_not_exists`, so an existing item keeps its master data.

        `stock_records` counts the restocks and adjusts of the SKU (each ensures its item after
        its stock write): a DELETE of the item is conditional on it, so one that lands meanwhile
        cancels the delete (409), or, landing after it, creates the item again.
        """
        expression = Expression().add("stock_records", 1)
        defaults = {"sku": sku, "name": sku, "unit": "each", "reorder_point": 0, "version": 1}
        for name, value in (defaults | {"created_at": now.isoformat()}).items():
            expression.set_if_absent(name, value)
        expression.set_if_absent("updated_at", now.isoformat())
        expression.set("type_pk", keys.ITEM_TYPE).set("type_sk", sku)
        with aws_errors_as_domain_errors():
            self._client.update_item(
                TableName=self._table,
                Key=keys.item_key(sku),
                UpdateExpression=expression.update_expression(),
                **expression.arguments(),
            )

    def sku_stock(self, sku: str) -> SkuStock:
        """One consistent Query over the SKU's partition: its item and every stock record."""
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.sku_pk(sku)}},
            "ConsistentRead": True,
        }
        items = list(query_all(self._client, query))
        levels = [
            stock_level(item) for item in items if item["sk"]["S"].startswith(keys.STOCK_SK_PREFIX)
        ]
        return SkuStock(sku=sku, levels=levels, known=bool(items))

    def list_stock(self, location_code: str | None, limit: int, start: PageKey | None) -> StockPage:
        if location_code:
            index, condition = keys.BY_LOCATION_INDEX, "loc_pk = :pk"
            partition = f"LOC#{location_code}"
        else:
            index, condition, partition = keys.BY_TYPE_INDEX, "type_pk = :pk", keys.STOCK_TYPE
        query = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": {":pk": {"S": partition}},
        }
        page = query_page(self._client, query, limit, start, keys.index_key_names(index))
        return StockPage(levels=[stock_level(item) for item in page.items], next_key=page.next_key)

    def _update_stock(
        self,
        sku: str,
        location_code: str | None,
        expression: Expression,
        movement: MovementMeta,
        return_values: str,
        condition: str | None = None,
    ) -> dict[str, Any]:
        """One UpdateItem of a stock record under the retry guard (dynamodb_retry_guard.py):
        boto3 retries timeouts and 5xx answers, and a client retries a 503 with its
        Idempotency-Key, after either of which the first attempt may have applied."""
        guard = not_a_retry(expression, movement.operation)
        guarded = f"({guard})" + (f" AND ({condition})" if condition else "")
        with aws_errors_as_domain_errors():
            response = self._client.update_item(
                TableName=self._table,
                Key=keys.stock_key(sku, location_code),
                UpdateExpression=expression.update_expression(),
                ConditionExpression=guarded,
                ReturnValues=return_values,  # type: ignore[arg-type]
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **expression.arguments(),
            )
        return dict(response.get("Attributes", {}))

    @staticmethod
    def _retried(exc: ClientError, movement: MovementMeta) -> StockLevel:
        if is_condition_failure(exc) and (own := own_earlier_write(exc, movement)):
            return stock_level(own)
        raise exc

    @staticmethod
    def _shortage(item: dict[str, Any] | None, requested: int) -> NotFound | InsufficientStock:
        if not item:
            return NotFound("No stock record at that location.")
        return InsufficientStock(available=int(from_item(item)["quantity"]), requested=requested)

    def _transact_update(
        self, sku: str, location_code: str | None, expression: Expression, condition: str
    ) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": keys.stock_key(sku, location_code),
            "UpdateExpression": expression.update_expression(),
            "ConditionExpression": condition,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            **expression.arguments(),
        }
        return {"Update": update}

    def _transact(self, items: list[dict[str, Any]], operation: str, quantity: int) -> None:
        """Returns once the operation's transaction has applied, now or in an earlier attempt.

        An earlier attempt is recognised by its ClientRequestToken (DynamoDB keeps the token of
        a transaction that succeeded for 10 minutes and answers IdempotentParameterMismatch when
        a retry's parameters differ: its timestamps and request id do), or after that by a retry
        slot on either record (the transaction applied both legs or neither). A
        TransactionConflict (another transaction on the same records) is retried a bounded
        number of times with jittered backoff. The source leg's failed condition says which
        error."""
        token = transaction_token(operation)
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                with aws_errors_as_domain_errors():
                    self._client.transact_write_items(
                        TransactItems=items,  # type: ignore[arg-type]
                        ClientRequestToken=token,
                    )
                return
            except ClientError as exc:
                if error_code(exc) == "IdempotentParameterMismatchException":
                    return
                if error_code(exc) != "TransactionCanceledException":
                    raise
                reasons: list[Any] = list(exc.response.get("CancellationReasons", []))
                if any(held_slot(reason.get("Item"), operation) for reason in reasons):
                    return
                codes = {reason.get("Code") for reason in reasons}
                if codes & {"ThrottlingError", "ProvisionedThroughputExceeded"}:
                    raise ServiceUnavailable("DynamoDB is throttling requests.") from exc
                if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    raise self._shortage(reasons[0].get("Item"), quantity) from exc
                if "TransactionConflict" not in codes:
                    raise
                if attempt == TRANSACTION_ATTEMPTS - 1:
                    raise Conflict("The records are busy; retry the transfer.") from exc
                time.sleep(random.uniform(0, RETRY_BASE_SECONDS * 2**attempt))  # noqa: S311

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
