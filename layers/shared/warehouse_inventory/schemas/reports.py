"""The report bodies: low stock and per-location totals."""

from pydantic import BaseModel


class LowStockLineOut(BaseModel):
    sku: str
    name: str
    total_quantity: int
    reorder_point: int


class LowStockReport(BaseModel):
    items: list[LowStockLineOut]


class LocationLineOut(BaseModel):
    location_code: str | None
    sku_count: int
    total_quantity: int


class LocationsReport(BaseModel):
    items: list[LocationLineOut]
