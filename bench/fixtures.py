"""The data and events every measured request needs to succeed, on DynamoDB Local.

Each API function is measured with its own sample event from events/ (the same files the tests
replay), made repeatable: a fresh API Gateway request id per request (the stock writes' retry
guard would take a repeated id for an SDK retry of the same movement and skip the write), a
fresh Idempotency-Key where the sample carries one, and the records the request changes (stock
picked, item deleted, token revoked) put back before it.
"""

import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse_devstack.template import REPO_ROOT, FunctionSpec
from warehouse_inventory.dal.item_repository import DynamoDBItemRepository
from warehouse_inventory.dal.stock_repository import DynamoDBInventoryRepository
from warehouse_inventory.dal.token_repository import DynamoDBTokenRepository
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.items import ItemFields
from warehouse_inventory.domain.stock import MovementMeta, MovementType
from warehouse_inventory.domain.tokens import ApiToken, secret_hash

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

EVENTS_DIR = REPO_ROOT / "events"
SKU = "WIDGET1"  # the SKU of the sample events
LOCATIONS = ("A-01", "B-02")
DELETED_SKU = "OBSOLETE1"  # deleted by events/delete_item.json
REVOKED_TOKEN_ID = "tok_00000000deadbeef"  # noqa: S105 - an id; revoked by revoke_token.json
STOCK = 1_000_000

Event = dict[str, Any]


def event_name(spec: FunctionSpec) -> str:
    """functions/get_inventory/ -> get_inventory (its event is events/get_inventory.json)."""
    return spec.code_dir.resolve().name


def event_file(spec: FunctionSpec) -> Path:
    return EVENTS_DIR / f"{event_name(spec)}.json"


def route_label(event: Event) -> str:
    return f"{event.get('httpMethod')} {event.get('resource')}"


@dataclass
class Fixtures:
    """Puts back what the sample events change, straight through the layer's repositories."""

    client: "DynamoDBClient"
    table_name: str
    tokens_table_name: str

    def seed(self) -> None:
        """Everything the sample events read: the item, its stock at two locations, the token
        revoke_token.json revokes, the item delete_item.json deletes."""
        items = DynamoDBItemRepository(self.client, self.table_name)
        now = datetime.now(UTC)
        items.put_item(SKU, ItemFields("Widget", None, "each", 5), now, None)
        self.reset_stock()
        self.restore_deleted_item()
        self.restore_revoked_token()

    def reset_stock(self) -> None:
        repository = DynamoDBInventoryRepository(self.client, self.table_name)
        for location in LOCATIONS:
            movement = MovementMeta(
                type=MovementType.ADJUST,
                actor="bench",
                request_id=str(uuid.uuid4()),
                occurred_at=datetime.now(UTC),
                reason="correction",
            )
            repository.apply_adjust(SKU, location, STOCK, movement, None)

    def restore_deleted_item(self) -> None:
        items = DynamoDBItemRepository(self.client, self.table_name)
        fields = ItemFields("Old part", None, "each", 0)
        items.put_item(DELETED_SKU, fields, datetime.now(UTC), None)

    def restore_revoked_token(self) -> None:
        hashed = secret_hash(f"bench-{REVOKED_TOKEN_ID}")
        self.client.delete_item(TableName=self.tokens_table_name, Key={"token_hash": {"S": hashed}})
        token = ApiToken(REVOKED_TOKEN_ID, "old-scanner", Role.OPERATOR, datetime.now(UTC))
        DynamoDBTokenRepository(self.client, self.tokens_table_name).add(token, hashed)

    def preparation(self, name: str) -> Callable[[], None]:
        """What to put back before the event of function `name` runs again."""
        steps: dict[str, Callable[[], None]] = {
            "pick": self.reset_stock,
            "transfer": self.reset_stock,
            "delete_item": self.restore_deleted_item,
            "revoke_token": self.restore_revoked_token,
        }
        return steps.get(name, lambda: None)


def load_event(path: Path) -> Event:
    event: Event = json.loads(path.read_text())
    return event


def fresh(event: Event, *, idempotency_key: bool | None = None) -> Event:
    """A copy with a new request id, and a new Idempotency-Key where the sample has one (None),
    always (True) or never (False)."""
    event = copy.deepcopy(event)
    event.setdefault("requestContext", {})["requestId"] = str(uuid.uuid4())
    headers: dict[str, str] = event.get("headers") or {}
    has_key = any(name.lower() == "idempotency-key" for name in headers)
    wanted = has_key if idempotency_key is None else idempotency_key
    if not has_key and not wanted:
        return event
    multi: dict[str, list[str]] = event.get("multiValueHeaders") or {}
    for mapping in (headers, multi):
        for name in [name for name in mapping if name.lower() == "idempotency-key"]:
            del mapping[name]
    if wanted:
        key = f"bench-{uuid.uuid4().hex}"
        headers["Idempotency-Key"] = key
        multi["Idempotency-Key"] = [key]
    event["headers"], event["multiValueHeaders"] = headers, multi
    return event
