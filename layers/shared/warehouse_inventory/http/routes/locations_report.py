"""GET /reports/locations: per-location SKU count and total, from the location summaries, by
location code (unassigned stock last)."""

from dataclasses import asdict

from warehouse_inventory.http.dependencies import ReportServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.base import PageCursor, PageLimit
from warehouse_inventory.schemas.reports import LocationLineOut, LocationsReport

router = api_router("reports")


@router.get("/reports/locations", response_model=LocationsReport)
async def locations_report(
    reports: ReportServiceDep,
    limit: PageLimit = 50,
    cursor: PageCursor | None = None,
) -> LocationsReport:
    page = reports.locations(limit, cursor)
    items = [LocationLineOut(**asdict(line)) for line in page.items]
    return LocationsReport(items=items, next_cursor=page.next)
