"""POST /inventory/pick: take stock from a location, never below zero."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from warehouse_inventory.http.dependencies import InventoryServiceDep, RequestMetaDep
from warehouse_inventory.http.idempotency import IdempotencyKey, movement_response
from warehouse_inventory.models import InventoryOut, PickIn
from warehouse_inventory.observability import count_movement

router = APIRouter(tags=["stock movements"])


@router.post("/inventory/pick", status_code=200, response_model=InventoryOut)
async def pick(
    request: Request,
    body: PickIn,
    service: InventoryServiceDep,
    meta: RequestMetaDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def run() -> InventoryOut:
        level = service.pick(body, meta)
        count_movement("pick")
        return InventoryOut.of(level)

    return movement_response(request, idempotency_key, body, 200, run)
