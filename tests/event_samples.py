"""What the sample events in events/ act on that no other sample event creates: the token
events/revoke_token.json revokes and the item events/delete_item.json deletes."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from warehouse_inventory.access import Role
from warehouse_inventory.dynamodb_item_repository import DynamoDBItemRepository
from warehouse_inventory.dynamodb_token_repository import DynamoDBTokenRepository
from warehouse_inventory.items import ItemFields
from warehouse_inventory.tokens import ApiToken, secret_hash

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REVOKED_TOKEN_ID = "tok_00000000deadbeef"  # events/revoke_token.json
DELETED_SKU = "OBSOLETE1"  # events/delete_item.json


def seed_event_targets(client: "DynamoDBClient", table: str, tokens_table: str) -> None:
    now = datetime.now(UTC)
    revoked = ApiToken(REVOKED_TOKEN_ID, "old-scanner", Role.OPERATOR, now)
    DynamoDBTokenRepository(client, tokens_table).add(revoked, secret_hash("x"))
    fields = ItemFields("Old part", None, "each", 0)
    DynamoDBItemRepository(client, table).put_item(DELETED_SKU, fields, now, None)
