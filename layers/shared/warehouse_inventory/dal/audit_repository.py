"""The append-only audit table: one row per movement, written once (conditional put).

Indexes serve `/reports/movements` newest first without a Scan: `by_feed` (every movement),
`by_sku`, `by_location` and `by_sku_location`, each sorted by `<occurred_at>#<movement_id>`.
The SKU and location filters pick the index, the time window is a range of its sort key (only
movements inside it are read), and the type is a FilterExpression (read, then dropped: see
dynamodb.query_page for how a page stays full).
"""

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from warehouse_inventory.dal.dynamodb import (
    aws_errors_as_domain_errors,
    from_item,
    is_condition_failure,
    query_page,
    to_attribute_values,
)
from warehouse_inventory.domain.history import MovementFilter, instant_text
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
    return f"{instant_text(movement.occurred_at)}#{movement.movement_id}"


def window_condition(since: str | None, until: str | None) -> str | None:
    """The sort-key range of `since <= occurred_at < until` (bounds as `instant_text`). A sort key
    is `<time>#<id>`, so one at `since` is above the bare `since` (kept) and one at `until` is
    above the bare `until` (dropped); no sort key equals a bare bound, so BETWEEN is exact."""
    if since and until:
        return "sort_key BETWEEN :since AND :until"
    if since:
        return "sort_key >= :since"
    if until:
        return "sort_key < :until"
    return None


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
        self, wanted: MovementFilter, limit: int, start: PageKey | None
    ) -> Page[Movement, PageKey]:
        index, attribute, value = index_for(wanted.sku, wanted.location_code)
        condition = "#partition = :value"
        values: dict[str, Any] = {":value": {"S": value}}
        bounds = {
            ":since": instant_text(wanted.since) if wanted.since else None,
            ":until": instant_text(wanted.until) if wanted.until else None,
        }
        if window := window_condition(bounds[":since"], bounds[":until"]):
            condition += f" AND {window}"
            values |= {name: {"S": bound} for name, bound in bounds.items() if bound}
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#partition": attribute},
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
        }
        if wanted.type is not None:
            query["FilterExpression"] = "#type = :type"
            query["ExpressionAttributeNames"]["#type"] = "type"
            values[":type"] = {"S": str(wanted.type)}
        page = query_page(self._client, query, limit, start, ["movement_id", attribute, "sort_key"])
        fields = set(Movement.model_fields)
        movements = [
            Movement.model_validate({k: v for k, v in from_item(item).items() if k in fields})
            for item in page.items
        ]
        return Page(items=movements, next=page.next)
