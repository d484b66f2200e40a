"""POST /inventory/pick: take stock from a location, never below zero."""

from fastapi import Request
from fastapi.responses import JSONResponse

from warehouse_inventory.domain.errors import InsufficientStock, NotFound
from warehouse_inventory.http.dependencies import InventoryServiceDep, MovementDep
from warehouse_inventory.http.movement_response import movement_response
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.http.route_errors import raises
from warehouse_inventory.schemas.inventory import InventoryOut, PickIn

router = api_router("stock movements")


@router.post("/inventory/pick", status_code=200, response_model=InventoryOut)
@raises(NotFound, InsufficientStock)
async def pick(
    request: Request,
    body: PickIn,
    service: InventoryServiceDep,
    movement: MovementDep,
) -> JSONResponse:
    return movement_response(
        request,
        movement.idempotency_key,
        body,
        kind="pick",
        status=200,
        apply=lambda: service.pick(body, movement.meta),
        present=InventoryOut.of,
    )
