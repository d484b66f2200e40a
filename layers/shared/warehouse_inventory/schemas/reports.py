"""The report bodies: low stock and per-location totals, a page at a time."""

from pydantic import BaseModel

from warehouse_inventory.schemas.base import PageOut


class LowStockLineOut(BaseModel):
    sku: str
    name: str
    total_quantity: int
    reorder_point: int


class LowStockReport(PageOut[LowStockLineOut]):
    pass


class LocationLineOut(BaseModel):
    location_code: str | None
    sku_count: int
    total_quantity: int


class LocationsReport(PageOut[LocationLineOut]):
    pass
