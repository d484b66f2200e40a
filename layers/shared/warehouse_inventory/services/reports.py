"""The two projection-backed reports, in the order the API answers them. No FastAPI, boto3 or
Lambda types here."""

from typing import TYPE_CHECKING

from warehouse_inventory.domain.reports import LocationLine, LowStockLine

if TYPE_CHECKING:
    from warehouse_inventory.services.ports import ReportRepository


class ReportService:
    def __init__(self, repository: "ReportRepository") -> None:
        self._repository = repository

    def low_stock(self) -> list[LowStockLine]:
        return sorted(self._repository.low_stock(), key=lambda line: line.sku)

    def locations(self) -> list[LocationLine]:
        return sorted(self._repository.locations(), key=lambda line: line.location_code or "")
