"""FastAPI dependencies, declared once as Annotated aliases for the routes."""

from functools import cache
from typing import Annotated

from fastapi import Depends, Request

from warehouse_inventory.aws_clients import dynamodb_client
from warehouse_inventory.cursor import CursorCodec
from warehouse_inventory.dynamodb_repository import DynamoDBInventoryRepository
from warehouse_inventory.http.context import principal_of
from warehouse_inventory.inventory_service import InventoryService
from warehouse_inventory.settings import get_settings
from warehouse_inventory.stock import RequestMeta


@cache
def inventory_service() -> InventoryService:
    """One service per container, built on first use (no AWS work at import time)."""
    settings = get_settings()
    repository = DynamoDBInventoryRepository(dynamodb_client(), settings.table_name)
    cursors = CursorCodec(
        settings.cursor_secret.get_secret_value().encode(), settings.cursor_ttl_seconds
    )
    return InventoryService(repository, cursors)


def request_meta(request: Request) -> RequestMeta:
    return RequestMeta(principal=principal_of(request.scope), request_id=request.state.request_id)


InventoryServiceDep = Annotated[InventoryService, Depends(inventory_service)]
RequestMetaDep = Annotated[RequestMeta, Depends(request_meta)]
