"""POST /inventory/restock: add stock at a location in one atomic write."""

from fastapi import APIRouter

from warehouse_inventory.http.dependencies import InventoryServiceDep, RequestMetaDep
from warehouse_inventory.models import InventoryOut, RestockIn
from warehouse_inventory.observability import metrics

router = APIRouter(tags=["stock movements"])


@router.post("/inventory/restock", status_code=201, response_model=InventoryOut)
async def restock(
    body: RestockIn, service: InventoryServiceDep, meta: RequestMetaDep
) -> InventoryOut:
    level = service.restock(body, meta)
    metrics.add_metric(name="Restocks", unit="Count", value=1)
    return InventoryOut.of(level)
