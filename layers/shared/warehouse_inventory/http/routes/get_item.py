"""GET /items/{sku}: one SKU's master data, with its version as ETag."""

from fastapi import Response

from warehouse_inventory.domain.errors import NotFound
from warehouse_inventory.http.dependencies import ItemServiceDep
from warehouse_inventory.http.preconditions import etag
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.http.route_errors import raises
from warehouse_inventory.schemas.base import Sku
from warehouse_inventory.schemas.items import ItemOut

router = api_router("items")


@router.get("/items/{sku}", response_model=ItemOut)
@raises(NotFound)
async def get_item(sku: Sku, service: ItemServiceDep, response: Response) -> ItemOut:
    item = service.get(sku)
    response.headers["ETag"] = etag(item.version)
    return ItemOut.of(item)
