"""What every DynamoDB repository shares: attribute conversion, error translation, an update
expression builder and paginated queries."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from warehouse_inventory.domain.errors import ServiceUnavailable

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
PageKey = dict[str, Any]


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


def to_attribute(value: Any) -> dict[str, Any]:
    return dict(_serializer.serialize(value))


def to_attribute_values(values: dict[str, Any]) -> dict[str, Any]:
    return {name: to_attribute(value) for name, value in values.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


@dataclass
class Expression:
    """Builds update and condition expressions with placeholders for every name and value, so no
    attribute ever collides with a DynamoDB reserved word."""

    sets: list[str] = field(default_factory=list)
    adds: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def name(self, path: str) -> str:
        """`a.b` -> `#a.#b`."""
        parts = []
        for part in path.split("."):
            self.names[f"#{part}"] = part
            parts.append(f"#{part}")
        return ".".join(parts)

    def value(self, key: str, value: Any) -> str:
        self.values[f":{key}"] = value if _is_attribute(value) else to_attribute(value)
        return f":{key}"

    def set(self, attribute: str, value: Any) -> "Expression":
        self.sets.append(f"{self.name(attribute)} = {self.value(attribute, value)}")
        return self

    def set_if_absent(self, attribute: str, value: Any) -> "Expression":
        name = self.name(attribute)
        self.sets.append(f"{name} = if_not_exists({name}, {self.value(attribute, value)})")
        return self

    def set_raw(self, clause: str) -> "Expression":
        self.sets.append(clause)
        return self

    def add(self, attribute: str, amount: int) -> "Expression":
        self.adds.append(f"{self.name(attribute)} {self.value(attribute, amount)}")
        return self

    def remove(self, attribute: str) -> "Expression":
        self.removes.append(self.name(attribute))
        return self

    def update_expression(self) -> str:
        clauses = [("SET", self.sets), ("ADD", self.adds), ("REMOVE", self.removes)]
        return " ".join(f"{verb} {', '.join(parts)}" for verb, parts in clauses if parts)

    def arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {"ExpressionAttributeNames": self.names}
        if self.values:
            arguments["ExpressionAttributeValues"] = self.values
        return arguments


def _is_attribute(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in {"M", "S", "N"}


def query_all(client: "DynamoDBClient", query: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a Query matches, following LastEvaluatedKey."""
    query = dict(query)
    while True:
        with aws_errors_as_domain_errors():
            response = client.query(**query)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


@dataclass(frozen=True)
class QueryPage:
    items: list[dict[str, Any]]
    next_key: PageKey | None


def query_page(
    client: "DynamoDBClient",
    query: dict[str, Any],
    limit: int,
    start: PageKey | None,
    key_names: list[str],
) -> QueryPage:
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
    return QueryPage(items=items[:limit], next_key=next_key)
