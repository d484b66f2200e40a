"""DELETE /items/{sku}: remove a SKU's master data once no stock remains (409 before)."""

from fastapi import Response

from warehouse_inventory.domain.errors import Conflict, NotFound
from warehouse_inventory.http.dependencies import ItemServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.http.route_errors import raises
from warehouse_inventory.schemas.base import Sku

router = api_router("items")


@router.delete("/items/{sku}", status_code=204, response_class=Response)
@raises(NotFound, Conflict)
async def delete_item(sku: Sku, service: ItemServiceDep) -> Response:
    service.delete(sku)
    return Response(status_code=204)
