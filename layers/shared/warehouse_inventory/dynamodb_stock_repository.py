"""InventoryRepository on DynamoDB: every stock expression lives here (principle 4).

Each movement is one write that also sets `last_movement`, so the table's stream carries the
movement: restock, pick and adjust are one UpdateItem each, a transfer one TransactWriteItems.
"""

import hashlib
import random
import time
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory import dynamodb_keys as keys
from warehouse_inventory.dynamodb_support import (
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
from warehouse_inventory.errors import (
    Conflict,
    InsufficientStock,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
)
from warehouse_inventory.repository import Adjustment, StockPage
from warehouse_inventory.stock import MovementMeta, SkuStock, StockLevel

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TRANSACTION_ATTEMPTS = 4
RETRY_BASE_SECONDS = 0.05
RETRY_SLOTS = 64


def retry_slots(operation: str) -> tuple[str, str]:
    """The two attributes that remember this operation on the record (see `_update_stock`): two
    different slots, from two parts of the id's hash."""
    digest = hashlib.sha256(operation.encode()).digest()
    first = int.from_bytes(digest[:4]) % RETRY_SLOTS
    second = (first + 1 + int.from_bytes(digest[4:8]) % (RETRY_SLOTS - 1)) % RETRY_SLOTS
    return f"rq{first}", f"rq{second}"


def not_a_retry(expression: Expression, operation: str) -> str:
    """Neither slot holds the id: a resend of an applied write fails while either still does."""
    held = []
    for slot in retry_slots(operation):
        name, value = expression.name(slot), expression.value(slot, operation)
        held.append(f"(attribute_not_exists({name}) OR {name} <> {value})")
    return " AND ".join(held)


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
    for slot in retry_slots(movement.operation):
        expression.set(slot, movement.operation)
    return expression


def own_earlier_write(exc: ClientError, movement: MovementMeta) -> dict[str, Any] | None:
    """The record (as it is now) when the failed condition was the retry guard: our first
    attempt applied, so this retry must not."""
    item: dict[str, Any] = exc.response.get("Item") or {}  # type: ignore[assignment]
    remembered = {item.get(slot, {}).get("S") for slot in retry_slots(movement.operation)}
    return item if movement.operation in remembered else None


def transaction_token(operation: str) -> str:
    """ClientRequestToken (≤ 36 chars): a retry with the same token cannot apply twice."""
    return hashlib.sha256(operation.encode()).hexdigest()[:36]


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
        """SET the counted quantity; ALL_OLD is the exact level it replaced, hence the delta."""
        expression = movement_expression(sku, location_code, movement).set("quantity", counted)
        condition = None
        if expected_version is not None:
            version = expression.name("version")
            condition = f"{version} = {expression.value('expected_version', expected_version)}"
        try:
            old = self._update_stock(sku, location_code, expression, movement, "ALL_OLD", condition)
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            if own_earlier_write(exc, movement):
                # Applied by an SDK retry's first attempt: the level is right but the delta is
                # lost. Setting a count twice is harmless, so the client may simply retry.
                raise ServiceUnavailable("The adjustment was applied; retry to read it.") from exc
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
        """Both legs in one TransactWriteItems; the response is a consistent read right after."""
        leaving, arriving = movements
        out = movement_expression(sku, source, leaving)
        quantity_name, wanted = out.name("quantity"), out.value("quantity", quantity)
        out.set_raw(f"{quantity_name} = {quantity_name} - {wanted}")
        into = movement_expression(sku, destination, arriving).add("quantity", quantity)
        transaction = [
            self._transact_update(
                sku, source, out, f"attribute_exists(pk) AND {quantity_name} >= {wanted}"
            ),
            self._transact_update(sku, destination, into, None),
        ]
        self._transact(transaction, transaction_token(leaving.operation), quantity)
        return self._read_pair(sku, source, destination)

    def ensure_item(self, sku: str, now: datetime) -> None:
        """Every attribute is `if_not_exists`, so an existing item keeps its master data.

        `stock_records` counts the stock records created for the SKU: a DELETE of the item is
        conditional on it, so a location created meanwhile cancels the delete (409).
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
        """One UpdateItem of a stock record, guarded against SDK retries.

        boto3 retries timeouts and 5xx answers, after which the first attempt may have applied.
        Each write stores its operation id (the Lambda invocation's, so an SDK resend shares it)
        in two of 64 slots chosen by the id's hash, and is
        conditional on neither holding it already: a resend of an applied write fails its
        condition instead of applying twice, even when other writes landed in between, unless
        they overwrote both slots (for one intervening write: 1 in 2,016, in the milliseconds of
        a retry; one slot was 1 in 64). A bounded set of slots keeps the record's size fixed,
        which a list of recent ids could not (DynamoDB cannot trim a list in the same update).
        """
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
        self, sku: str, location_code: str | None, expression: Expression, condition: str | None
    ) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": keys.stock_key(sku, location_code),
            "UpdateExpression": expression.update_expression(),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            **expression.arguments(),
        }
        if condition:  # no retry guard: ClientRequestToken makes transaction retries safe
            update["ConditionExpression"] = condition
        return {"Update": update}

    def _transact(self, items: list[dict[str, Any]], token: str, quantity: int) -> None:
        """TransactionConflict (another transaction on the same records) is retried a bounded
        number of times with jittered backoff and the same ClientRequestToken, so a retry of an
        applied transaction is a no-op. The source leg's failed condition says which error."""
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                with aws_errors_as_domain_errors():
                    self._client.transact_write_items(
                        TransactItems=items,  # type: ignore[arg-type]
                        ClientRequestToken=token,
                    )
                return
            except ClientError as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
                reasons: list[Any] = list(exc.response.get("CancellationReasons", []))
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
