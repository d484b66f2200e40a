"""GET /inventory/{sku}: every level of one SKU and their total."""

from warehouse_inventory.domain.errors import NotFound
from warehouse_inventory.http.dependencies import InventoryServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.http.route_errors import raises
from warehouse_inventory.schemas.base import Sku
from warehouse_inventory.schemas.inventory import InventoryOut, SkuStockOut

router = api_router("stock")


@router.get("/inventory/{sku}", response_model=SkuStockOut)
@raises(NotFound)
async def get_inventory(sku: Sku, service: InventoryServiceDep) -> SkuStockOut:
    stock = service.sku_stock(sku)
    levels = [InventoryOut.of(level) for level in stock.levels]
    return SkuStockOut(sku=sku, total_quantity=stock.total_quantity, levels=levels)
