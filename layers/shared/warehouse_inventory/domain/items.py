"""SKU master data (CONTRACT.md, Item)."""

from dataclasses import dataclass
from datetime import datetime


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


@dataclass(frozen=True)
class ItemPage:
    items: list[Item]
    next_key: dict[str, object] | None
