"""Stock rules: restock and reading levels. No FastAPI, boto3 or Lambda types here (principle 3)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from warehouse_inventory.cursor import CursorCodec
from warehouse_inventory.errors import NotFound, ServiceUnavailable
from warehouse_inventory.models import RestockIn
from warehouse_inventory.observability import logger
from warehouse_inventory.repository import InventoryRepository
from warehouse_inventory.stock import (
    MovementMeta,
    MovementType,
    RequestMeta,
    SkuStock,
    StockLevel,
    utc_now,
)


@dataclass(frozen=True)
class LevelsPage:
    levels: list[StockLevel]
    next_cursor: str | None


class InventoryService:
    def __init__(
        self,
        repository: InventoryRepository,
        cursors: CursorCodec,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._cursors = cursors
        self._clock = clock

    def restock(self, request: RestockIn, meta: RequestMeta) -> StockLevel:
        """One atomic write; the first restock of a (sku, location) also ensures the item exists."""
        movement = MovementMeta(
            type=MovementType.RESTOCK,
            actor=meta.principal.name,
            request_id=meta.request_id,
            occurred_at=self._clock(),
            reference=request.reference,
        )
        level = self._repository.apply_restock(
            request.sku, request.location_code, request.quantity, movement
        )
        if level.version == 1:
            self._ensure_item(request.sku, movement.occurred_at)
        return level

    def _ensure_item(self, sku: str, now: datetime) -> None:
        """Best effort once the stock change is committed: failing the request now would make the
        client retry and restock twice. A missing item is logged and repaired by the next
        first-restock of that SKU at any location."""
        try:
            self._repository.ensure_item(sku, now)
        except ServiceUnavailable:
            logger.warning("item not ensured after restock", extra={"sku": sku})

    def sku_stock(self, sku: str) -> SkuStock:
        stock = self._repository.sku_stock(sku)
        if not stock.known:
            raise NotFound(f"SKU {sku} is not known.")
        return stock

    def list_stock(self, location_code: str | None, limit: int, cursor: str | None) -> LevelsPage:
        scope = f"inventory?location_code={location_code or ''}"
        start = self._cursors.decode(cursor, scope) if cursor else None
        page = self._repository.list_stock(location_code, limit, start)
        next_cursor = self._cursors.encode(page.next_key, scope) if page.next_key else None
        return LevelsPage(levels=page.levels, next_cursor=next_cursor)
