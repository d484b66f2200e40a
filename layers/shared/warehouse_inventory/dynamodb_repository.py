"""The DynamoDB implementation of InventoryRepository: every expression lives here."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from warehouse_inventory import dynamodb_keys as keys
from warehouse_inventory.errors import ServiceUnavailable
from warehouse_inventory.repository import PageKey, StockPage
from warehouse_inventory.stock import MovementMeta, SkuStock, StockLevel

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


@contextmanager
def aws_errors_as_domain_errors() -> Iterator[None]:
    """Throttling and unreachable AWS become ServiceUnavailable (503 + Retry-After)."""
    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in THROTTLING_CODES:
            raise ServiceUnavailable("DynamoDB is throttling requests.") from exc
        raise
    except BotoCoreError as exc:
        raise ServiceUnavailable("DynamoDB could not be reached.") from exc


def to_attribute_values(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def movement_attribute(movement: MovementMeta) -> dict[str, Any]:
    fields = asdict(movement) | {
        "type": str(movement.type),
        "occurred_at": movement.occurred_at.isoformat(),
    }
    present = {name: value for name, value in fields.items() if value is not None}
    return dict(_serializer.serialize(present))


def stock_level(item: dict[str, Any]) -> StockLevel:
    record = from_item(item)
    return StockLevel(
        sku=record["sku"],
        location_code=record.get("location_code"),
        quantity=int(record["quantity"]),
        version=int(record["version"]),
        updated_at=datetime.fromisoformat(record["updated_at"]),
    )


class DynamoDBInventoryRepository:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def apply_restock(
        self, sku: str, location_code: str | None, quantity: int, movement: MovementMeta
    ) -> StockLevel:
        """One UpdateItem, no read first (principle 4): ADD is atomic under any concurrency."""
        return self._write_movement(
            sku, location_code, movement, "ADD #quantity :quantity", quantity
        )

    def _write_movement(
        self,
        sku: str,
        location_code: str | None,
        movement: MovementMeta,
        quantity_clause: str,
        quantity: int,
    ) -> StockLevel:
        """The stock write every movement shares: quantity change, version + 1, last_movement.

        The SDK retries timeouts and 500s, after which the first attempt may have applied. The
        condition on last_movement.request_id makes such a retry fail instead of applying twice,
        and the record it returns (ALL_OLD) is then exactly what the first attempt wrote.
        """
        attributes = {"sku": sku, "updated_at": movement.occurred_at.isoformat()}
        attributes |= keys.stock_index_attributes(sku, location_code)
        if location_code:
            attributes["location_code"] = location_code
        set_clause = ", ".join(f"#{name} = :{name}" for name in attributes)
        names = [*attributes, "quantity", "version", "last_movement", "request_id"]
        try:
            with aws_errors_as_domain_errors():
                response = self._client.update_item(
                    TableName=self._table,
                    Key=keys.stock_key(sku, location_code),
                    UpdateExpression=f"{quantity_clause}, #version :one "
                    f"SET {set_clause}, #last_movement = :last_movement",
                    ConditionExpression="attribute_not_exists(#last_movement) "
                    "OR #last_movement.#request_id <> :request_id",
                    ExpressionAttributeNames={f"#{name}": name for name in names},
                    ExpressionAttributeValues=to_attribute_values(
                        {f":{name}": value for name, value in attributes.items()}
                        | {":quantity": quantity, ":one": 1, ":request_id": movement.request_id}
                    )
                    | {":last_movement": movement_attribute(movement)},
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except ClientError as exc:
            return self._own_earlier_write(exc, movement)
        return stock_level(response["Attributes"])

    @staticmethod
    def _own_earlier_write(exc: ClientError, movement: MovementMeta) -> StockLevel:
        item: dict[str, Any] = exc.response.get("Item") or {}  # type: ignore[assignment]
        last = item.get("last_movement", {}).get("M", {})
        if last.get("request_id", {}).get("S") != movement.request_id:
            raise exc
        return stock_level(item)

    def ensure_item(self, sku: str, now: datetime) -> None:
        defaults = {"sku": sku, "name": sku, "unit": "each", "reorder_point": 0, "version": 1}
        defaults |= {"created_at": now.isoformat(), "updated_at": now.isoformat()}
        set_clause = ", ".join(f"#{name} = if_not_exists(#{name}, :{name})" for name in defaults)
        with aws_errors_as_domain_errors():
            self._client.update_item(
                TableName=self._table,
                Key=keys.item_key(sku),
                UpdateExpression=f"SET {set_clause}, #type_pk = :type_pk, #type_sk = :type_sk",
                ExpressionAttributeNames={
                    f"#{name}": name for name in [*defaults, "type_pk", "type_sk"]
                },
                ExpressionAttributeValues=to_attribute_values(
                    {f":{name}": value for name, value in defaults.items()}
                    | {":type_pk": keys.ITEM_TYPE, ":type_sk": sku}
                ),
            )

    def sku_stock(self, sku: str) -> SkuStock:
        """One consistent Query over the SKU's partition: its item and every stock record."""
        items = list(
            self._query_all(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": keys.sku_pk(sku)}},
                ConsistentRead=True,
            )
        )
        levels = [
            stock_level(item) for item in items if item["sk"]["S"].startswith(keys.STOCK_SK_PREFIX)
        ]
        return SkuStock(sku=sku, levels=levels, known=bool(items))

    def list_stock(self, location_code: str | None, limit: int, start: PageKey | None) -> StockPage:
        """One Query per page; asks for one extra row so the last page says so (no empty page)."""
        if location_code:
            index, condition = keys.BY_LOCATION_INDEX, "loc_pk = :pk"
            partition = f"LOC#{location_code}"
        else:
            index, condition, partition = keys.BY_TYPE_INDEX, "type_pk = :pk", keys.STOCK_TYPE
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "Limit": limit + 1,
        }
        if start:
            query["ExclusiveStartKey"] = start
        with aws_errors_as_domain_errors():
            response = self._client.query(**query)
        items = response.get("Items", [])
        if len(items) > limit:
            next_key: PageKey | None = keys.page_key(items[limit - 1], index)
        else:
            next_key = response.get("LastEvaluatedKey")
        return StockPage(levels=[stock_level(item) for item in items[:limit]], next_key=next_key)

    def _query_all(self, **query: Any) -> Iterator[dict[str, Any]]:
        start: dict[str, Any] | None = None
        while True:
            page_query = query | ({"ExclusiveStartKey": start} if start else {})
            with aws_errors_as_domain_errors():
                response = self._client.query(TableName=self._table, **page_query)
            yield from response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                return
