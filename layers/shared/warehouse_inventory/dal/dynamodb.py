"""What every DynamoDB repository shares: values to attributes and back (boto3's serializers),
AWS errors as the API's own (throttling and an unreachable DynamoDB are ServiceUnavailable, 503
with Retry-After; a failed condition is the repository's to read), and the two ways to read
many records: a Query followed to the end, or one page at a time."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from warehouse_inventory.domain.errors import ServiceUnavailable
from warehouse_inventory.domain.paging import Page, PageKey

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
        # A single write on a record a transaction holds; it was not applied: retry later.
        "TransactionConflictException",
        # The same ClientRequestToken is still being applied (the SDK retries this first).
        "TransactionInProgressException",
    }
)

Record = dict[str, Any]
"""An item as DynamoDB returns it (attribute-value format)."""


def to_attribute(value: Any) -> dict[str, Any]:
    return dict(_serializer.serialize(value))


def to_attribute_values(values: dict[str, Any]) -> dict[str, Any]:
    return {name: to_attribute(value) for name, value in values.items()}


def from_item(item: Record) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


@contextmanager
def aws_errors_as_domain_errors() -> Iterator[None]:
    """Throttling and unreachable AWS become ServiceUnavailable (503 + Retry-After)."""
    try:
        yield
    except ClientError as exc:
        if error_code(exc) in THROTTLING_CODES:
            raise ServiceUnavailable("DynamoDB is throttling requests.") from exc
        raise
    except BotoCoreError as exc:
        raise ServiceUnavailable("DynamoDB could not be reached.") from exc


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_condition_failure(exc: ClientError) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def query_all(client: "DynamoDBClient", query: dict[str, Any]) -> Iterator[Record]:
    """Every item a Query matches, following LastEvaluatedKey."""
    query = dict(query)
    while True:
        with aws_errors_as_domain_errors():
            response = client.query(**query)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def query_page(
    client: "DynamoDBClient",
    query: dict[str, Any],
    limit: int,
    start: PageKey | None,
    key_names: list[str],
) -> Page[Record, PageKey]:
    """One Query per page; asks for one extra row so the last page says so (no empty page).

    `key_names` are the table and index keys that make up the LastEvaluatedKey of the query.
    """
    query = query | {"Limit": limit + 1} | ({"ExclusiveStartKey": start} if start else {})
    with aws_errors_as_domain_errors():
        response = client.query(**query)
    items = response.get("Items", [])
    if len(items) > limit:
        next_key: PageKey | None = {name: items[limit - 1][name] for name in key_names}
    else:
        next_key = response.get("LastEvaluatedKey")
    return Page(items=items[:limit], next=next_key)
