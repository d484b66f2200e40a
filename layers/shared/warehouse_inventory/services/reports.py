"""The two projection-backed reports. No FastAPI, boto3 or Lambda types here."""

from warehouse_inventory.dal.projection_repository import (
    LocationLine,
    LowStockLine,
    ProjectionRepository,
)


class ReportService:
    def __init__(self, repository: ProjectionRepository) -> None:
        self._repository = repository

    def low_stock(self) -> list[LowStockLine]:
        return sorted(self._repository.low_stock(), key=lambda line: line.sku)

    def locations(self) -> list[LocationLine]:
        return sorted(self._repository.locations(), key=lambda line: line.location_code or "")
