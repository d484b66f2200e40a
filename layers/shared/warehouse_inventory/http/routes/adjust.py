"""POST /inventory/adjust: record a cycle count (or damage, loss, find, correction)."""

from fastapi import Request
from fastapi.responses import JSONResponse

from warehouse_inventory.http.dependencies import InventoryServiceDep, MovementDep
from warehouse_inventory.http.movement_response import movement_response
from warehouse_inventory.http.preconditions import IfMatch, version_of
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.inventory import AdjustIn, AdjustOut

router = api_router("stock movements")


@router.post("/inventory/adjust", status_code=200, response_model=AdjustOut)
async def adjust(
    request: Request,
    body: AdjustIn,
    service: InventoryServiceDep,
    movement: MovementDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    return movement_response(
        request,
        movement.idempotency_key,
        body,
        kind="adjust",
        status=200,
        apply=lambda: service.adjust(body, movement.meta, version_of(if_match)),
        present=AdjustOut.of_adjustment,
        if_match=if_match,
    )
