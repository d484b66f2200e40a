"""GET /items: master data of every SKU, a page at a time."""

from warehouse_inventory.http.dependencies import ItemServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.base import PageCursor, PageLimit
from warehouse_inventory.schemas.items import ItemOut, ItemPageOut

router = api_router("items")


@router.get("/items", response_model=ItemPageOut)
async def list_items(
    service: ItemServiceDep,
    limit: PageLimit = 50,
    cursor: PageCursor | None = None,
) -> ItemPageOut:
    page = service.list(limit, cursor)
    return ItemPageOut(items=[ItemOut.of(item) for item in page.items], next_cursor=page.next)
