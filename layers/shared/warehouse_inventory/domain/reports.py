"""The two projection-backed reports: their lines, the low-stock rule, and what a projection
takes in from each stock change."""

from dataclasses import dataclass


@dataclass(frozen=True)
class StockChange:
    """A stock record's quantity as of a version: the stream's news for the projections."""

    sku: str
    location_code: str | None
    quantity: int
    version: int


@dataclass(frozen=True)
class LowStockLine:
    sku: str
    name: str
    total_quantity: int
    reorder_point: int


@dataclass(frozen=True)
class LocationLine:
    location_code: str | None
    sku_count: int
    total_quantity: int


def is_low(total: int, reorder_point: int) -> bool:
    """At or below the reorder point; a reorder point of 0 opts out."""
    return reorder_point > 0 and total <= reorder_point
