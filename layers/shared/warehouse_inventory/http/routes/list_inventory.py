"""GET /inventory: stock records, optionally at one location, a page at a time."""

from warehouse_inventory.http.dependencies import InventoryServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.base import LocationCode, PageCursor, PageLimit
from warehouse_inventory.schemas.inventory import InventoryOut, InventoryPage

router = api_router("stock")


@router.get("/inventory", response_model=InventoryPage)
async def list_inventory(
    service: InventoryServiceDep,
    location_code: LocationCode | None = None,
    limit: PageLimit = 50,
    cursor: PageCursor | None = None,
) -> InventoryPage:
    page = service.list_stock(location_code, limit, cursor)
    items = [InventoryOut.of(level) for level in page.items]
    return InventoryPage(items=items, next_cursor=page.next)
