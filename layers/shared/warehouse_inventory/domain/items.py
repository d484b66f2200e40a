"""SKU master data (CONTRACT.md, Item), and the one place of an item's defaults."""

from dataclasses import dataclass
from datetime import datetime

DEFAULT_UNIT = "each"
DEFAULT_REORDER_POINT = 0
"""0: never on the low-stock report."""


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    description: str | None
    unit: str
    reorder_point: int
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class ItemFields:
    """What a PUT replaces; everything else (totals, timestamps) is the system's."""

    name: str
    description: str | None
    unit: str
    reorder_point: int


def default_fields(sku: str) -> ItemFields:
    """The master data of a SKU that stock arrived for before anyone described it: named after
    itself, with the defaults a PUT leaves out."""
    return ItemFields(
        name=sku, description=None, unit=DEFAULT_UNIT, reorder_point=DEFAULT_REORDER_POINT
    )
