"""ItemRepository on the inventory table: the `ITEM` record in each SKU's partition."""

from datetime import datetime
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
from warehouse_inventory.domain.errors import Conflict, NotFound, PreconditionFailed
from warehouse_inventory.domain.items import Item, ItemFields
from warehouse_inventory.domain.paging import Page, PageKey

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
        condition = None
        if expected_version is not None:
            version = expression.name("version")
            condition = f"{version} = {expression.value('expected_version', expected_version)}"
        key = keys.item_key(sku)
        update = expression.update(self._table, key, condition, ReturnValues="ALL_NEW")
        try:
            with aws_errors_as_domain_errors():
                response = self._client.update_item(**update)
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

    def list_items(self, limit: int, start: PageKey | None) -> Page[Item, PageKey]:
        query = {
            "TableName": self._table,
            "IndexName": keys.BY_TYPE_INDEX,
            "KeyConditionExpression": "type_pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.ITEM_TYPE}},
        }
        names = keys.index_key_names(keys.BY_TYPE_INDEX)
        page = query_page(self._client, query, limit, start, names)
        return Page(items=[item_of(record) for record in page.items], next=page.next)

    def delete_item(self, sku: str) -> None:
        """Read the SKU's partition, refuse while any stock remains, then delete the item only
        if its `stock_records` counter is still what was read: every restock and adjust bumps
        it after its stock write (`ensure_item`), so one that landed meanwhile cancels the
        delete (409), and one whose stock write lands in between but whose ensure-item step
        comes after the delete creates the item again. One read and one write, however many
        stock records the SKU has (a transaction of one check per record would stop at 100).
        """
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.sku_pk(sku)}},
            "ConsistentRead": True,
        }
        records = list(query_all(self._client, query))
        item = next((r for r in records if r["sk"]["S"] == keys.ITEM_SK), None)
        if item is None:
            raise NotFound(f"Item {sku} does not exist.")
        stock = [r for r in records if keys.is_stock_record(r["sk"]["S"])]
        if any(int(from_item(r)["quantity"]) != 0 for r in stock):
            raise Conflict(f"Item {sku} still has stock; pick or adjust it to zero first.")
        unchanged: dict[str, Any] = {"ConditionExpression": "stock_records = :seen"}
        if "stock_records" in item:
            unchanged["ExpressionAttributeValues"] = {":seen": item["stock_records"]}
        else:
            unchanged["ConditionExpression"] = (
                "attribute_exists(pk) AND attribute_not_exists(stock_records)"
            )
        try:
            with aws_errors_as_domain_errors():
                self._client.delete_item(
                    TableName=self._table,
                    Key=keys.item_key(sku),
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                    **unchanged,
                )
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            if not exc.response.get("Item"):
                raise NotFound(f"Item {sku} does not exist.") from exc
            raise Conflict(f"Stock of {sku} changed meanwhile; retry the delete.") from exc
