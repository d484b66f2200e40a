"""GET /reports/low-stock: SKUs at or below their reorder point, from the sparse index."""

from dataclasses import asdict

from fastapi import APIRouter

from warehouse_inventory.http.dependencies import ReportServiceDep
from warehouse_inventory.schemas.reports import LowStockLineOut, LowStockReport

router = APIRouter(tags=["reports"])


@router.get("/reports/low-stock", response_model=LowStockReport)
async def low_stock_report(
    reports: ReportServiceDep,
) -> LowStockReport:
    return LowStockReport(items=[LowStockLineOut(**asdict(line)) for line in reports.low_stock()])
