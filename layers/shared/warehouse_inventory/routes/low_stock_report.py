"""GET /reports/low-stock: SKUs at or below their reorder point, from the sparse index."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends

from warehouse_inventory.models import LowStockLineOut, LowStockReport
from warehouse_inventory.reports import ReportService
from warehouse_inventory.services import report_service

router = APIRouter(tags=["reports"])


@router.get("/reports/low-stock", response_model=LowStockReport)
async def low_stock_report(
    reports: Annotated[ReportService, Depends(report_service)],
) -> LowStockReport:
    return LowStockReport(items=[LowStockLineOut(**asdict(line)) for line in reports.low_stock()])
