"""GET /reports/movements: the audit log, newest first, optionally for one SKU and/or location."""

from typing import Annotated

from fastapi import APIRouter, Query

from warehouse_inventory.http.dependencies import MovementHistoryDep
from warehouse_inventory.schemas.base import LocationCode, PageLimit, Sku
from warehouse_inventory.schemas.history import MovementPageOut

router = APIRouter(tags=["reports"])


@router.get("/reports/movements", response_model=MovementPageOut)
async def list_movements(
    history: MovementHistoryDep,
    sku: Sku | None = None,
    location_code: LocationCode | None = None,
    limit: PageLimit = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> MovementPageOut:
    page = history.newest_first(sku, location_code, limit, cursor)
    return MovementPageOut(items=page.items, next_cursor=page.next)
