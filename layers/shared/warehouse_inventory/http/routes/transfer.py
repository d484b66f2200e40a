"""POST /inventory/transfer: move stock between two locations, both legs or neither."""

from fastapi import Request
from fastapi.responses import JSONResponse

from warehouse_inventory.domain.errors import Conflict, InsufficientStock, NotFound
from warehouse_inventory.http.dependencies import InventoryServiceDep, MovementDep
from warehouse_inventory.http.movement_response import movement_response
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.http.route_errors import raises
from warehouse_inventory.schemas.inventory import TransferIn, TransferOut

router = api_router("stock movements")


@router.post(
    "/inventory/transfer",
    status_code=200,
    response_model=TransferOut,
    description="Both levels are read consistently right after the transaction (a transaction "
    "returns no values): another movement committed in between shows in them, and in `version`.",
)
@raises(NotFound, InsufficientStock, Conflict)
async def transfer(
    request: Request,
    body: TransferIn,
    service: InventoryServiceDep,
    movement: MovementDep,
) -> JSONResponse:
    return movement_response(
        request,
        movement.idempotency_key,
        body,
        kind="transfer",
        status=200,
        apply=lambda: service.transfer(body, movement.meta),
        present=TransferOut.of_levels,
    )
