"""GET /reports/locations: per-location SKU count and total, from the location summaries."""

from dataclasses import asdict

from fastapi import APIRouter

from warehouse_inventory.http.dependencies import ReportServiceDep
from warehouse_inventory.schemas.reports import LocationLineOut, LocationsReport

router = APIRouter(tags=["reports"])


@router.get("/reports/locations", response_model=LocationsReport)
async def locations_report(
    reports: ReportServiceDep,
) -> LocationsReport:
    return LocationsReport(items=[LocationLineOut(**asdict(line)) for line in reports.locations()])
