"""POST /inventory/restock: add stock at a location in one atomic write."""

from fastapi import Request
from fastapi.responses import JSONResponse

from warehouse_inventory.http.dependencies import InventoryServiceDep, MovementDep
from warehouse_inventory.http.movement_response import movement_response
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.inventory import InventoryOut, RestockIn

router = api_router("stock movements")


@router.post("/inventory/restock", status_code=201, response_model=InventoryOut)
async def restock(
    request: Request,
    body: RestockIn,
    service: InventoryServiceDep,
    movement: MovementDep,
) -> JSONResponse:
    return movement_response(
        request,
        movement.idempotency_key,
        body,
        kind="restock",
        status=201,
        apply=lambda: service.restock(body, movement.meta),
        present=InventoryOut.of,
    )
