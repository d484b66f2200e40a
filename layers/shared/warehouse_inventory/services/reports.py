"""The two projection-backed reports, a page at a time in their indexes' order (low stock by
SKU, locations by code with unassigned stock last). No FastAPI, boto3 or Lambda types here."""

from typing import TYPE_CHECKING

from warehouse_inventory.domain.paging import Page
from warehouse_inventory.domain.reports import LocationLine, LowStockLine
from warehouse_inventory.services.paging import CursorCodec

if TYPE_CHECKING:
    from warehouse_inventory.services.ports import ReportRepository

LOW_STOCK_SCOPE = "reports/low-stock"
LOCATIONS_SCOPE = "reports/locations"


class ReportService:
    def __init__(self, repository: "ReportRepository", cursors: CursorCodec) -> None:
        self._repository = repository
        self._cursors = cursors

    def low_stock(self, limit: int, cursor: str | None) -> Page[LowStockLine, str]:
        return self._cursors.page(
            LOW_STOCK_SCOPE, cursor, lambda start: self._repository.low_stock(limit, start)
        )

    def locations(self, limit: int, cursor: str | None) -> Page[LocationLine, str]:
        return self._cursors.page(
            LOCATIONS_SCOPE, cursor, lambda start: self._repository.locations(limit, start)
        )
