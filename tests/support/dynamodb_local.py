"""What the DynamoDB Local tests share: the emulator's handles, stock records and their stream
records read back, and services over a client of the test's own."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warehouse_devstack.event_sources.stream_reader import StreamLog
from warehouse_inventory.dal.dynamodb import from_item
from warehouse_inventory.dal.stock_repository import DynamoDBInventoryRepository
from warehouse_inventory.domain.caller import Principal, RequestMeta
from warehouse_inventory.services.inventory import InventoryService
from warehouse_inventory.services.paging import CursorCodec

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_dynamodbstreams.type_defs import RecordTypeDef


@dataclass(frozen=True)
class LocalDynamo:
    """What a test needs to act on DynamoDB Local and to check the table's stream (the outbox)."""

    url: str
    client: "DynamoDBClient"
    streams: "DynamoDBStreamsClient"
    table_name: str
    stream_arn: str
    log: StreamLog  # the session's stream, read incrementally

    def stream_records(self) -> list["RecordTypeDef"]:
        """Every record of the table's stream so far, every shard, parents before children."""
        return self.log.read()


ClientFactory = Callable[[int], "DynamoDBClient"]
"""Builds a new client on the emulator; its argument is the SDK's total number of attempts."""

CLERK = Principal(token_id="t-clerk", name="clerk", role="clerk")


def fresh_sku() -> str:
    """Unique per run: the emulator is shared by the whole session."""
    return f"T{uuid.uuid4().hex[:15].upper()}"


def get_record(local: LocalDynamo, key: dict[str, Any]) -> dict[str, Any] | None:
    response = local.client.get_item(TableName=local.table_name, Key=key, ConsistentRead=True)
    return from_item(response["Item"]) if "Item" in response else None


def stream_records_for(local: LocalDynamo, key: dict[str, Any]) -> list["RecordTypeDef"]:
    return [
        record for record in local.stream_records() if record.get("dynamodb", {}).get("Keys") == key
    ]


def images(record: "RecordTypeDef") -> tuple[dict[str, Any], dict[str, Any]]:
    """(old, new) as plain values; an INSERT has no old image."""
    change = record["dynamodb"]
    return from_item(change.get("OldImage", {})), from_item(change.get("NewImage", {}))


def service_on(client: "DynamoDBClient", local: LocalDynamo) -> InventoryService:
    """The real service and repository on a client the test chose (retries, event hooks)."""
    repository = DynamoDBInventoryRepository(client, local.table_name)
    return InventoryService(repository, CursorCodec(b"x" * 32, 60))


def meta(request_id: str) -> RequestMeta:
    """Tests prefix request ids with their fresh SKU: ids must be unique in the session, as
    API Gateway's are (the SDK-retry guard and a transfer's ClientRequestToken derive from them).
    """
    return RequestMeta(CLERK, request_id)
