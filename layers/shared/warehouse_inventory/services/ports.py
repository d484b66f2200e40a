"""The data-access interface the services depend on, so tests can pass a fake (principle 3)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from warehouse_inventory.domain.items import Item, ItemFields, ItemPage
from warehouse_inventory.domain.stock import MovementMeta, SkuStock, StockLevel
from warehouse_inventory.domain.tokens import ApiToken

PageKey = dict[str, Any]
"""Where the next page starts: opaque to the services, signed into a cursor by the service."""


@dataclass(frozen=True)
class Adjustment:
    level: StockLevel
    delta: int


@dataclass(frozen=True)
class StockPage:
    levels: list[StockLevel]
    next_key: PageKey | None


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

    def ensure_item(self, sku: str, now: datetime) -> None:
        """Create the SKU's master-data item, named after the SKU, unless it exists."""
        ...

    def sku_stock(self, sku: str) -> SkuStock: ...

    def list_stock(
        self, location_code: str | None, limit: int, start: PageKey | None
    ) -> StockPage: ...


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

    def list_items(self, limit: int, start: PageKey | None) -> ItemPage: ...

    def delete_item(self, sku: str) -> None:
        """NotFound if absent; Conflict while any stock remains."""
        ...
