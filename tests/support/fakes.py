"""An in-memory InventoryRepository: the services' rules tested without DynamoDB or moto."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from warehouse_inventory.domain.errors import (
    InsufficientStock,
    NotFound,
    PreconditionFailed,
    RefusedEntry,
    ServiceUnavailable,
    WarehouseError,
)
from warehouse_inventory.domain.paging import Page, PageKey
from warehouse_inventory.domain.stock import (
    Adjust,
    Adjustment,
    MovementMeta,
    MovementOutcome,
    Pick,
    Restock,
    SkuStock,
    StockLevel,
    StockMovement,
    Transfer,
)


@dataclass
class FakeInventoryRepository:
    levels: dict[tuple[str, str | None], StockLevel] = field(default_factory=dict)
    movements: list[tuple[StockLevel, MovementMeta]] = field(default_factory=list)
    items: dict[str, datetime] = field(default_factory=dict)
    ensure_item_calls: int = 0
    fail_ensure_item: bool = False

    def apply_restock(
        self, sku: str, location_code: str | None, quantity: int, movement: MovementMeta
    ) -> StockLevel:
        return self._change(sku, location_code, quantity, movement)

    def apply_pick(
        self, sku: str, location_code: str | None, quantity: int, movement: MovementMeta
    ) -> StockLevel:
        current = self.levels.get((sku, location_code))
        if current is None:
            raise NotFound(f"No stock of {sku} at {location_code or 'unassigned'}.")
        if current.quantity < quantity:
            raise InsufficientStock(available=current.quantity, requested=quantity)
        return self._change(sku, location_code, -quantity, movement)

    def apply_adjust(
        self,
        sku: str,
        location_code: str | None,
        counted: int,
        movement: MovementMeta,
        expected_version: int | None,
    ) -> Adjustment:
        current = self.levels.get((sku, location_code))
        if expected_version is not None and (
            current is None or current.version != expected_version
        ):
            raise PreconditionFailed("stale")
        before = current.quantity if current else 0
        level = self._change(sku, location_code, counted - before, movement)
        return Adjustment(level=level, delta=counted - before)

    def apply_transfer(
        self,
        sku: str,
        source: str | None,
        destination: str | None,
        quantity: int,
        movements: tuple[MovementMeta, MovementMeta],
    ) -> tuple[StockLevel, StockLevel]:
        self.apply_pick(sku, source, quantity, movements[0])
        arrived = self.apply_restock(sku, destination, quantity, movements[1])
        return self.levels[(sku, source)], arrived

    def apply_batch(self, changes: Sequence[StockMovement]) -> list[MovementOutcome]:
        """Each change as alone, in order; the first refusal undoes them all."""
        levels, movements = dict(self.levels), list(self.movements)
        outcomes: list[MovementOutcome] = []
        for index, change in enumerate(changes):
            try:
                outcomes.append(self._apply(change))
            except WarehouseError as error:
                self.levels, self.movements = levels, movements
                raise RefusedEntry(index, error) from error
        return outcomes

    def _apply(self, change: StockMovement) -> MovementOutcome:
        match change:
            case Restock(sku, location, quantity, movement):
                return self.apply_restock(sku, location, quantity, movement)
            case Pick(sku, location, quantity, movement):
                return self.apply_pick(sku, location, quantity, movement)
            case Adjust(sku, location, counted, movement, expected):
                return self.apply_adjust(sku, location, counted, movement, expected)
            case Transfer(sku, source, destination, quantity, legs):
                return self.apply_transfer(sku, source, destination, quantity, legs)
        raise TypeError(change)

    def _change(
        self, sku: str, location_code: str | None, delta: int, movement: MovementMeta
    ) -> StockLevel:
        current = self.levels.get((sku, location_code))
        level = current or StockLevel(sku, location_code, 0, 0, movement.occurred_at)
        level = replace(
            level,
            quantity=level.quantity + delta,
            version=level.version + 1,
            updated_at=movement.occurred_at,
        )
        self.levels[(sku, location_code)] = level
        self.movements.append((level, movement))
        return level

    def ensure_item(self, sku: str, now: datetime) -> None:
        self.ensure_item_calls += 1
        if self.fail_ensure_item:
            raise ServiceUnavailable("throttled")
        self.items.setdefault(sku, now)

    def ensure_items(self, skus: Sequence[str], now: datetime) -> None:
        for sku in skus:
            self.ensure_item(sku, now)

    def sku_stock(self, sku: str) -> SkuStock:
        levels = [
            level
            for (level_sku, _), level in sorted(self.levels.items(), key=_order)
            if level_sku == sku
        ]
        return SkuStock(sku=sku, levels=levels, known=bool(levels) or sku in self.items)

    def list_stock(
        self, location_code: str | None, limit: int, start: PageKey | None
    ) -> Page[StockLevel, PageKey]:
        ordered = [
            level
            for _, level in sorted(self.levels.items(), key=_order)
            if location_code is None or level.location_code == location_code
        ]
        offset = int(start["offset"]) if start else 0
        page = ordered[offset : offset + limit]
        more = offset + limit < len(ordered)
        return Page(items=page, next={"offset": offset + limit} if more else None)


def _order(entry: tuple[tuple[str, str | None], StockLevel]) -> tuple[str, str]:
    (sku, location), _ = entry
    return sku, location or ""
