"""GET /reports/movements: the audit log, newest first, narrowed by SKU, location, type and a
time window (`since` inclusive, `until` exclusive), all combined."""

from typing import Annotated

from fastapi import Query

from warehouse_inventory.domain.history import MovementFilter
from warehouse_inventory.domain.stock import MovementType
from warehouse_inventory.http.dependencies import MovementHistoryDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.base import Instant, LocationCode, PageCursor, PageLimit, Sku
from warehouse_inventory.schemas.history import MovementPageOut

router = api_router("reports")


@router.get("/reports/movements", response_model=MovementPageOut)
async def list_movements(
    history: MovementHistoryDep,
    sku: Sku | None = None,
    location_code: LocationCode | None = None,
    movement_type: Annotated[MovementType | None, Query(alias="type")] = None,
    since: Instant | None = None,
    until: Instant | None = None,
    limit: PageLimit = 50,
    cursor: PageCursor | None = None,
) -> MovementPageOut:
    wanted = MovementFilter(sku, location_code, movement_type, since, until)
    page = history.newest_first(wanted, limit, cursor)
    return MovementPageOut(items=page.items, next_cursor=page.next)
