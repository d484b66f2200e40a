"""The data access the services and consumers need, as Protocols: the data layer implements them,
wiring.py plugs them in, and tests pass fakes.

Annotations only: nothing here is imported at run time, so a function loads just the types its
own route uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from warehouse_inventory.domain.history import MovementFilter
    from warehouse_inventory.domain.items import Item, ItemFields
    from warehouse_inventory.domain.paging import Page, PageKey
    from warehouse_inventory.domain.reports import LocationLine, LowStockLine, StockChange
    from warehouse_inventory.domain.stock import (
        Adjustment,
        MovementMeta,
        MovementOutcome,
        SkuStock,
        StockLevel,
        StockMovement,
    )
    from warehouse_inventory.domain.tokens import ApiToken
    from warehouse_inventory.schemas.movements import Movement, MovementMessage


class InventoryRepository(Protocol):
    def apply_restock(
        self, sku: str, location_code: str | None, quantity: int, movement: MovementMeta
    ) -> StockLevel:
        """Add `quantity` in one atomic write that also records `movement`; returns the result."""
        ...

    def apply_pick(
        self, sku: str, location_code: str | None, quantity: int, movement: MovementMeta
    ) -> StockLevel:
        """Take `quantity` if that many are on hand (InsufficientStock, or NotFound: no record)."""
        ...

    def apply_adjust(
        self,
        sku: str,
        location_code: str | None,
        counted: int,
        movement: MovementMeta,
        expected_version: int | None,
    ) -> Adjustment:
        """Set the counted quantity (PreconditionFailed when `expected_version` is stale)."""
        ...

    def apply_transfer(
        self,
        sku: str,
        source: str | None,
        destination: str | None,
        quantity: int,
        movements: tuple[MovementMeta, MovementMeta],
    ) -> tuple[StockLevel, StockLevel]:
        """Move `quantity` between two records atomically; returns both levels after."""
        ...

    def apply_batch(self, changes: Sequence[StockMovement]) -> list[MovementOutcome]:
        """Apply every change or none, atomically; each change's outcome as its own route
        answers it. RefusedEntry names the first change that cannot apply, with its error."""
        ...

    def ensure_item(self, sku: str, now: datetime) -> None:
        """Create the SKU's master-data item with the default fields, unless it exists."""
        ...

    def ensure_items(self, skus: Sequence[str], now: datetime) -> None:
        """`ensure_item` of several SKUs."""
        ...

    def sku_stock(self, sku: str) -> SkuStock: ...

    def list_stock(
        self, location_code: str | None, limit: int, start: PageKey | None
    ) -> Page[StockLevel, PageKey]: ...


class TokenRepository(Protocol):
    def add(self, token: ApiToken, secret_hash: str) -> None: ...

    def find_by_hash(self, secret_hash: str) -> ApiToken | None:
        """The token whose secret hashes to `secret_hash`, revoked or not; None if unknown."""
        ...

    def list_active(self) -> list[ApiToken]: ...

    def revoke(self, token_id: str, now: datetime) -> None:
        """Mark the token revoked; NotFound if it is unknown or already revoked."""
        ...


class ItemRepository(Protocol):
    def put_item(
        self, sku: str, fields: ItemFields, now: datetime, expected_version: int | None
    ) -> Item:
        """Create or replace; PreconditionFailed when `expected_version` is stale."""
        ...

    def get_item(self, sku: str) -> Item | None: ...

    def list_items(self, limit: int, start: PageKey | None) -> Page[Item, PageKey]: ...

    def delete_item(self, sku: str) -> None:
        """NotFound if absent; Conflict while any stock remains."""
        ...


class ReportRepository(Protocol):
    def low_stock(self, limit: int, start: PageKey | None) -> Page[LowStockLine, PageKey]: ...

    def locations(self, limit: int, start: PageKey | None) -> Page[LocationLine, PageKey]: ...


class Projections(Protocol):
    def change_of(self, record: dict[str, Any]) -> StockChange | None:
        """The stock change a record of the table's stream carries; None for any other record."""
        ...

    def apply_all(self, changes: Sequence[StockChange]) -> dict[tuple[str, str | None], bool]:
        """Take stock changes (one per stock record) into the reports; per (sku, location),
        False when its change was already taken in."""
        ...


class AuditLog(Protocol):
    def record(self, movement: MovementMessage) -> bool:
        """True when written, False when it was already there (a redelivery)."""
        ...

    def exists(self, movement_id: str) -> bool: ...

    def newest_first(
        self, wanted: MovementFilter, limit: int, start: PageKey | None
    ) -> Page[Movement, PageKey]: ...


class AuditOutbox(Protocol):
    def send(self, records: list[dict[str, Any]]) -> str | None:
        """Put the movements of a batch of stream records on the audit queue, in order; the
        sequence number of the first record not done (Lambda retries from there), or None."""
        ...
