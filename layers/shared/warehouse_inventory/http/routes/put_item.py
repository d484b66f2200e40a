"""PUT /items/{sku}: create (201) or replace (200) a SKU's master data; If-Match honoured."""

from fastapi.responses import JSONResponse

from warehouse_inventory.domain.errors import Conflict
from warehouse_inventory.http.dependencies import ItemServiceDep
from warehouse_inventory.http.preconditions import IfMatch, etag, version_of
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.http.route_errors import raises
from warehouse_inventory.schemas.base import Sku
from warehouse_inventory.schemas.items import ItemIn, ItemOut

router = api_router("items")


@router.put(
    "/items/{sku}",
    response_model=ItemOut,
    responses={201: {"model": ItemOut, "description": "Created"}},
)
@raises(Conflict)
async def put_item(
    sku: Sku, body: ItemIn, service: ItemServiceDep, if_match: IfMatch = None
) -> JSONResponse:
    item = service.put(sku, body.fields(), version_of(if_match))
    status = 201 if item.version == 1 else 200
    content = ItemOut.of(item).model_dump(mode="json")
    return JSONResponse(content, status_code=status, headers={"ETag": etag(item.version)})
