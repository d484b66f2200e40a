"""GET /reports/low-stock: SKUs at or below their reorder point, from the sparse index, by SKU."""

from dataclasses import asdict

from warehouse_inventory.http.dependencies import ReportServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.base import PageCursor, PageLimit
from warehouse_inventory.schemas.reports import LowStockLineOut, LowStockReport

router = api_router("reports")


@router.get("/reports/low-stock", response_model=LowStockReport)
async def low_stock_report(
    reports: ReportServiceDep,
    limit: PageLimit = 50,
    cursor: PageCursor | None = None,
) -> LowStockReport:
    page = reports.low_stock(limit, cursor)
    items = [LowStockLineOut(**asdict(line)) for line in page.items]
    return LowStockReport(items=items, next_cursor=page.next)
