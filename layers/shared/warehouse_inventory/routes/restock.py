"""POST /inventory/restock: add stock at a location in one atomic write."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from warehouse_inventory.http.dependencies import InventoryServiceDep, RequestMetaDep
from warehouse_inventory.http.idempotency import IdempotencyKey, movement_response
from warehouse_inventory.models import InventoryOut, RestockIn
from warehouse_inventory.observability import count_movement

router = APIRouter(tags=["stock movements"])


@router.post("/inventory/restock", status_code=201, response_model=InventoryOut)
async def restock(
    request: Request,
    body: RestockIn,
    service: InventoryServiceDep,
    meta: RequestMetaDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def run() -> InventoryOut:
        level = service.restock(body, meta)
        count_movement("restock")
        return InventoryOut.of(level)

    return movement_response(request, idempotency_key, body, 201, run)
