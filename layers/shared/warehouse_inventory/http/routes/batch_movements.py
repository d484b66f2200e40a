"""POST /inventory/movements: up to 100 movements of any type, all or nothing."""

from collections import Counter

from fastapi import Request
from fastapi.responses import JSONResponse

from warehouse_inventory.domain.errors import (
    Conflict,
    InsufficientStock,
    NotFound,
    PreconditionFailed,
)
from warehouse_inventory.http.dependencies import InventoryServiceDep, MovementDep
from warehouse_inventory.http.movement_response import movement_response
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.http.route_errors import raises
from warehouse_inventory.schemas.batch import MovementBatchIn, MovementBatchOut

router = api_router("stock movements")


@router.post(
    "/inventory/movements",
    status_code=200,
    response_model=MovementBatchOut,
    description="One transaction: every entry applies, or none does and the answer is the "
    "refused entry's own error with `index` (its position, from 0) in every `details` object. "
    "Each entry is recorded exactly as the same movement sent alone. The results are read "
    "consistently right after the commit (a transaction returns no values): another movement "
    "committed in between shows in them, and in `version`.",
)
@raises(NotFound, InsufficientStock, PreconditionFailed, Conflict)
async def batch_movements(
    request: Request,
    body: MovementBatchIn,
    service: InventoryServiceDep,
    movement: MovementDep,
) -> JSONResponse:
    return movement_response(
        request,
        movement.idempotency_key,
        body,
        kind=Counter(str(entry.type) for entry in body.movements),
        status=200,
        apply=lambda: service.apply_batch(body, movement.meta),
        present=MovementBatchOut.of_outcomes,
    )
