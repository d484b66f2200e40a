"""Framework-free domain types: stock levels, movements and the caller (principle 3)."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class MovementType(StrEnum):
    RESTOCK = "restock"
    PICK = "pick"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUST = "adjust"


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the API Gateway authorizer vouched for it."""

    token_id: str | None
    name: str
    role: str | None


ANONYMOUS = Principal(token_id=None, name="anonymous", role=None)


@dataclass(frozen=True)
class RequestMeta:
    """`request_id` is what the client and the audit trail see; `operation_id` identifies the
    operation for the write's retry guard (see docs/idempotency.md): the same for every attempt
    at one operation, different for every other. Without one, the request id serves."""

    principal: Principal
    request_id: str
    operation_id: str | None = None

    @property
    def operation(self) -> str:
        return self.operation_id or self.request_id


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
    """Not part of the movement: the identity its write remembers (see RequestMeta)."""

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


def utc_now() -> datetime:
    return datetime.now(UTC)
