"""The services wired to DynamoDB, built once per container on first use (no AWS work at import).

Free of FastAPI, so the authorizer and stream/queue consumers can share it cheaply.
"""

from functools import cache

from warehouse_inventory.aws_clients import dynamodb_client
from warehouse_inventory.cursor import CursorCodec
from warehouse_inventory.dynamodb_repository import DynamoDBInventoryRepository
from warehouse_inventory.dynamodb_token_repository import DynamoDBTokenRepository
from warehouse_inventory.inventory_service import InventoryService
from warehouse_inventory.settings import get_settings
from warehouse_inventory.token_service import TokenService


@cache
def inventory_service() -> InventoryService:
    settings = get_settings()
    repository = DynamoDBInventoryRepository(dynamodb_client(), settings.table_name)
    cursors = CursorCodec(
        settings.cursor_secret.get_secret_value().encode(), settings.cursor_ttl_seconds
    )
    return InventoryService(repository, cursors)


@cache
def token_service() -> TokenService:
    repository = DynamoDBTokenRepository(dynamodb_client(), get_settings().tokens_table_name)
    return TokenService(repository)


def forget_services() -> None:
    """A new environment (tests, the local stack) needs fresh clients and services."""
    get_settings.cache_clear()
    dynamodb_client.cache_clear()
    inventory_service.cache_clear()
    token_service.cache_clear()
