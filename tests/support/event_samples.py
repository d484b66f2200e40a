"""What the sample events in events/ act on that no other sample event creates: the token
events/revoke_token.json revokes, the item events/delete_item.json deletes, and the item whose
stock the stream samples (projector, relay) change."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from warehouse_inventory.dal.item_repository import DynamoDBItemRepository
from warehouse_inventory.dal.token_repository import DynamoDBTokenRepository
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.items import ItemFields
from warehouse_inventory.domain.tokens import ApiToken, secret_hash

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REVOKED_TOKEN_ID = "tok_00000000deadbeef"  # events/revoke_token.json
DELETED_SKU = "OBSOLETE1"  # events/delete_item.json
STREAM_SKU = "GADGET7"  # events/projector.json, events/stream_relay.json


def seed_event_targets(client: "DynamoDBClient", table: str, tokens_table: str) -> None:
    now = datetime.now(UTC)
    revoked = ApiToken(REVOKED_TOKEN_ID, "old-scanner", Role.OPERATOR, now)
    DynamoDBTokenRepository(client, tokens_table).add(revoked, secret_hash("x"))
    items = DynamoDBItemRepository(client, table)
    items.put_item(DELETED_SKU, ItemFields("Old part", None, "each", 0), now, None)
    items.put_item(STREAM_SKU, ItemFields("Gadget, green", None, "each", 0), now, None)
