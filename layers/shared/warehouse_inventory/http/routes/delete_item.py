"""DELETE /items/{sku}: remove a SKU's master data once no stock remains (409 before)."""

from fastapi import Response

from warehouse_inventory.http.dependencies import ItemServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.base import Sku

router = api_router("items")


@router.delete("/items/{sku}", status_code=204, response_class=Response)
async def delete_item(sku: Sku, service: ItemServiceDep) -> Response:
    service.delete(sku)
    return Response(status_code=204)
