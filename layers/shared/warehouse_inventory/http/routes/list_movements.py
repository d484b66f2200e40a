"""GET /reports/movements: the audit log, newest first, optionally for one SKU and/or location."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from warehouse_inventory import wiring
from warehouse_inventory.schemas.inventory import LocationCode, MovementPageOut, PageLimit, Sku
from warehouse_inventory.services.movements import MovementHistory

router = APIRouter(tags=["reports"])


async def movement_history() -> MovementHistory:
    """Async: a sync dependency would cost a worker thread per request (http/dependencies.py)."""
    return wiring.movement_history()


@router.get("/reports/movements", response_model=MovementPageOut)
async def list_movements(
    history: Annotated[MovementHistory, Depends(movement_history)],
    sku: Sku | None = None,
    location_code: LocationCode | None = None,
    limit: PageLimit = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> MovementPageOut:
    page = history.newest_first(sku, location_code, limit, cursor)
    return MovementPageOut(items=page.items, next_cursor=page.next_cursor)
