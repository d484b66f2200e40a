"""POST /inventory/transfer: move stock between two locations, both legs or neither."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from warehouse_inventory.http.dependencies import InventoryServiceDep, RequestMetaDep
from warehouse_inventory.http.idempotency import IdempotencyKey, movement_response
from warehouse_inventory.models import InventoryOut, TransferIn, TransferOut
from warehouse_inventory.observability import count_movement

router = APIRouter(tags=["stock movements"])


@router.post(
    "/inventory/transfer",
    status_code=200,
    response_model=TransferOut,
    description="Both levels are read consistently right after the transaction (a transaction "
    "returns no values): another movement committed in between shows in them, and in `version`.",
)
async def transfer(
    request: Request,
    body: TransferIn,
    service: InventoryServiceDep,
    meta: RequestMetaDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def run() -> TransferOut:
        source, destination = service.transfer(body, meta)
        count_movement("transfer")
        return TransferOut(source=InventoryOut.of(source), destination=InventoryOut.of(destination))

    return movement_response(request, idempotency_key, body, 200, run)
