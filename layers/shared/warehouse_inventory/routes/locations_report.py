"""GET /reports/locations: per-location SKU count and total, from the location summaries."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends

from warehouse_inventory.models import LocationLineOut, LocationsReport
from warehouse_inventory.reports import ReportService
from warehouse_inventory.services import report_service

router = APIRouter(tags=["reports"])


@router.get("/reports/locations", response_model=LocationsReport)
async def locations_report(
    reports: Annotated[ReportService, Depends(report_service)],
) -> LocationsReport:
    return LocationsReport(items=[LocationLineOut(**asdict(line)) for line in reports.locations()])
