"""What every DynamoDB repository shares: values to attributes and back (boto3's serializers),
AWS errors as the API's own (throttling and an unreachable DynamoDB are ServiceUnavailable, 503
with Retry-After; a failed condition is the repository's to read), the two ways to read many
records: a Query followed to the end, or one page at a time, and independent reads side by side."""

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
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

READ_THREADS = 8
"""Reads in flight at once in `side_by_side` (the clients' pool holds 32)."""


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


def side_by_side[T, R](read: Callable[[T], R], inputs: Sequence[T]) -> list[R]:
    """`read` of each input, in order, the calls in threads: independent reads (a Query per
    partition cannot be batched) then take about one round trip, and boto3's clients are
    thread-safe. A single input is read in this thread."""
    if len(inputs) <= 1:
        return [read(each) for each in inputs]
    with ThreadPoolExecutor(max_workers=min(READ_THREADS, len(inputs))) as pool:
        return list(pool.map(read, inputs))


FILTERED_READ_BATCH = 200
"""Items a filtered Query evaluates per call: DynamoDB applies `Limit` before the filter."""
FILTERED_READ_BUDGET = 1000
"""Items a filtered page may evaluate in all before it answers short (its cursor goes on)."""


def query_page(
    client: "DynamoDBClient",
    query: dict[str, Any],
    limit: int,
    start: PageKey | None,
    key_names: list[str],
) -> Page[Record, PageKey]:
    """One page of `limit` items, and where the next starts (None on the last page).

    Asks for one extra item, so the last page says so (no empty page after it). Without a
    filter that is one Query per page. With a `FilterExpression`, Queries go on until the page
    is full, the index ends, or FILTERED_READ_BUDGET items were evaluated (a rare match in a
    long history): that page is short, possibly empty, and its cursor continues the search.
    `key_names` are the table and index keys that make up the LastEvaluatedKey of the query.
    """
    filtered = "FilterExpression" in query
    batch = max(limit + 1, FILTERED_READ_BATCH) if filtered else limit + 1
    items: list[Record] = []
    position, evaluated = start, 0
    while True:
        request = query | {"Limit": batch} | ({"ExclusiveStartKey": position} if position else {})
        with aws_errors_as_domain_errors():
            response = client.query(**request)
        items += response.get("Items", [])
        evaluated += response.get("ScannedCount", 0)
        position = response.get("LastEvaluatedKey")
        if len(items) > limit:
            return Page(items[:limit], {name: items[limit - 1][name] for name in key_names})
        if position is None or evaluated >= FILTERED_READ_BUDGET:
            return Page(items, position)
