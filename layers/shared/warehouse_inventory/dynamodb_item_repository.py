"""ItemRepository on the inventory table: the `ITEM` record in each SKU's partition."""

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
)
from warehouse_inventory.errors import Conflict, NotFound, PreconditionFailed
from warehouse_inventory.items import Item, ItemFields, ItemPage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def item_of(record: dict[str, Any]) -> Item:
    values = from_item(record)
    return Item(
        sku=values["sku"],
        name=values["name"],
        description=values.get("description"),
        unit=values["unit"],
        reorder_point=int(values["reorder_point"]),
        created_at=datetime.fromisoformat(values["created_at"]),
        updated_at=datetime.fromisoformat(values["updated_at"]),
        version=int(values["version"]),
    )


class DynamoDBItemRepository:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def put_item(
        self, sku: str, fields: ItemFields, now: datetime, expected_version: int | None
    ) -> Item:
        """An UpdateItem, not a PutItem: the record also carries the stock projections, which a
        replace of the master data must keep. Version 1 in the result means it was created."""
        expression = Expression().set("sku", sku).set("name", fields.name)
        expression.set("unit", fields.unit).set("reorder_point", fields.reorder_point)
        if fields.description is None:
            expression.remove("description")
        else:
            expression.set("description", fields.description)
        expression.set("updated_at", now.isoformat()).set_if_absent("created_at", now.isoformat())
        expression.set("type_pk", keys.ITEM_TYPE).set("type_sk", sku).add("version", 1)
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": keys.item_key(sku),
            "UpdateExpression": expression.update_expression(),
            "ReturnValues": "ALL_NEW",
        }
        if expected_version is not None:
            version = expression.name("version")
            expected = expression.value("expected_version", expected_version)
            update["ConditionExpression"] = f"{version} = {expected}"
        try:
            with aws_errors_as_domain_errors():
                response = self._client.update_item(**update, **expression.arguments())
        except ClientError as exc:
            if is_condition_failure(exc):
                raise PreconditionFailed(f"Item {sku} is no longer at that version.") from exc
            raise
        return item_of(dict(response["Attributes"]))

    def get_item(self, sku: str) -> Item | None:
        with aws_errors_as_domain_errors():
            response = self._client.get_item(
                TableName=self._table, Key=keys.item_key(sku), ConsistentRead=True
            )
        record = response.get("Item")
        return item_of(dict(record)) if record else None

    def list_items(self, limit: int, start: PageKey | None) -> ItemPage:
        query = {
            "TableName": self._table,
            "IndexName": keys.BY_TYPE_INDEX,
            "KeyConditionExpression": "type_pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.ITEM_TYPE}},
        }
        names = keys.index_key_names(keys.BY_TYPE_INDEX)
        page = query_page(self._client, query, limit, start, names)
        return ItemPage(items=[item_of(record) for record in page.items], next_key=page.next_key)

    def delete_item(self, sku: str) -> None:
        """One transaction: delete the item only if nothing moved since the read.

        Condition checks on every stock record seen (same version) catch a movement on a known
        location; the item's `stock_records` counter, which the first write of every new stock
        record bumps, catches a location created meanwhile. Either cancels the delete (409).
        """
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.sku_pk(sku)}},
            "ConsistentRead": True,
        }
        records = list(query_all(self._client, query))
        stock = [r for r in records if r["sk"]["S"].startswith(keys.STOCK_SK_PREFIX)]
        item = next((r for r in records if r["sk"]["S"] == keys.ITEM_SK), None)
        if item is None:
            raise NotFound(f"Item {sku} does not exist.")
        if any(int(from_item(r)["quantity"]) != 0 for r in stock):
            raise Conflict(f"Item {sku} still has stock; pick or adjust it to zero first.")
        checks = [self._still_empty(record) for record in stock]
        delete = {"Delete": {"TableName": self._table, "Key": keys.item_key(sku)}}
        if "stock_records" in item:
            delete["Delete"] |= {
                "ConditionExpression": "stock_records = :seen",
                "ExpressionAttributeValues": {":seen": item["stock_records"]},
            }
        else:
            delete["Delete"]["ConditionExpression"] = "attribute_not_exists(stock_records)"
        try:
            with aws_errors_as_domain_errors():
                self._client.transact_write_items(TransactItems=[*checks, delete])  # type: ignore[list-item]
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise Conflict(f"Stock of {sku} changed meanwhile; retry the delete.") from exc
            raise

    def _still_empty(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": {"pk": record["pk"], "sk": record["sk"]},
                "ConditionExpression": "#version = :version",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":version": record["version"]},
            }
        }
