"""Stock levels and movements: what a stock write carries and what it answers."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MovementType(StrEnum):
    RESTOCK = "restock"
    PICK = "pick"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUST = "adjust"


class AdjustReason(StrEnum):
    """Why a count set a record's quantity: an adjust's `reason`."""

    CYCLE_COUNT = "cycle_count"
    DAMAGED = "damaged"
    LOST = "lost"
    FOUND = "found"
    CORRECTION = "correction"


@dataclass(frozen=True)
class MovementMeta:
    """What a stock write carries as `last_movement`, so the stream can rebuild the movement."""

    type: MovementType
    actor: str
    request_id: str
    occurred_at: datetime
    reason: str | None = None
    reference: str | None = None
    transfer_id: str | None = None
    operation_id: str | None = None
    """Not part of the movement: the identity its write remembers (see caller.RequestMeta)."""

    @property
    def operation(self) -> str:
        return self.operation_id or self.request_id


def stable_stock_id(sku: str, location_code: str | None) -> int:
    """A deterministic id per (sku, location): no counter, so no hot item and no extra write.

    53 bits so JavaScript clients keep it exact; collisions need ~10^8 records to become likely.
    """
    digest = hashlib.blake2b(f"{sku}\x00{location_code or ''}".encode(), digest_size=8).digest()
    return int.from_bytes(digest) >> 11


@dataclass(frozen=True)
class StockLevel:
    sku: str
    location_code: str | None
    quantity: int
    version: int
    updated_at: datetime

    @property
    def id(self) -> int:
        return stable_stock_id(self.sku, self.location_code)


@dataclass(frozen=True)
class SkuStock:
    """All levels of one SKU; `known` is False when neither an item nor any stock exists."""

    sku: str
    levels: list[StockLevel]
    known: bool

    @property
    def total_quantity(self) -> int:
        return sum(level.quantity for level in self.levels)


@dataclass(frozen=True)
class Adjustment:
    """A counted quantity set on a record, and how far it moved the record's quantity."""

    level: StockLevel
    delta: int


def movement_id(sku: str, location_code: str | None, version: int) -> str:
    """Deterministic, so a redelivered change maps to the same audit row."""
    return f"{sku}@{location_code or ''}#{version}"
