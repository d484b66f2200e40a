"""The append-only audit table: one row per movement, written once (conditional put).

Indexes serve `/reports/movements` newest first without a Scan: `by_feed` (every movement),
`by_sku`, `by_location` and `by_sku_location`, each sorted by `<occurred_at>#<movement_id>`.
"""

from datetime import UTC
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory.dal.dynamodb import (
    aws_errors_as_domain_errors,
    from_item,
    is_condition_failure,
    query_page,
    to_attribute_values,
)
from warehouse_inventory.domain.paging import Page, PageKey
from warehouse_inventory.schemas.movements import Movement, MovementMessage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

FEED = "MOVEMENT"


def index_for(sku: str | None, location_code: str | None) -> tuple[str, str, str]:
    """(index, partition attribute, partition value) answering one filter combination."""
    if sku and location_code:
        return "by_sku_location", "sku_location", f"{sku}@{location_code}"
    if sku:
        return "by_sku", "sku", sku
    if location_code:
        return "by_location", "location_key", location_code
    return "by_feed", "feed", FEED


def sort_key(movement: Movement) -> str:
    """`<occurred_at>#<movement_id>` with a fixed-width UTC time, so string order is time order
    (the JSON form drops a zero microsecond part, and `...:05Z` sorts after `...:05.000500Z`)."""
    occurred = movement.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{occurred}#{movement.movement_id}"


class AuditRepository:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def record(self, movement: MovementMessage) -> bool:
        """True when written, False when it was already there (a redelivery: not an error)."""
        item: dict[str, Any] = movement.model_dump(mode="json", exclude_none=True)
        item |= {"feed": FEED, "sort_key": sort_key(movement)}
        item["sku_location"] = f"{movement.sku}@{movement.location_code or ''}"
        if movement.location_code:
            item["location_key"] = movement.location_code
        try:
            with aws_errors_as_domain_errors():
                self._client.put_item(
                    TableName=self._table,
                    Item=to_attribute_values(item),
                    ConditionExpression="attribute_not_exists(movement_id)",
                )
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def exists(self, movement_id: str) -> bool:
        with aws_errors_as_domain_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key={"movement_id": {"S": movement_id}},
                ProjectionExpression="movement_id",
            )
        return "Item" in response

    def newest_first(
        self, sku: str | None, location_code: str | None, limit: int, start: PageKey | None
    ) -> Page[Movement, PageKey]:
        index, attribute, value = index_for(sku, location_code)
        query = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#partition = :value",
            "ExpressionAttributeNames": {"#partition": attribute},
            "ExpressionAttributeValues": {":value": {"S": value}},
            "ScanIndexForward": False,
        }
        page = query_page(self._client, query, limit, start, ["movement_id", attribute, "sort_key"])
        fields = set(Movement.model_fields)
        movements = [
            Movement.model_validate({k: v for k, v in from_item(item).items() if k in fields})
            for item in page.items
        ]
        return Page(items=movements, next=page.next)
