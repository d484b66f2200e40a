"""FastAPI dependencies, declared once as Annotated aliases for the routes."""

from typing import Annotated

from fastapi import Depends, Request

from warehouse_inventory.http.context import principal_of
from warehouse_inventory.inventory_service import InventoryService
from warehouse_inventory.item_service import ItemService
from warehouse_inventory.services import inventory_service, item_service, token_service
from warehouse_inventory.stock import RequestMeta
from warehouse_inventory.token_service import TokenService


def request_meta(request: Request) -> RequestMeta:
    return RequestMeta(principal=principal_of(request.scope), request_id=request.state.request_id)


InventoryServiceDep = Annotated[InventoryService, Depends(inventory_service)]
ItemServiceDep = Annotated[ItemService, Depends(item_service)]
TokenServiceDep = Annotated[TokenService, Depends(token_service)]
RequestMetaDep = Annotated[RequestMeta, Depends(request_meta)]
