"""Stock rules: the four movements and reading levels; no FastAPI, boto3 or Lambda types."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from warehouse_inventory.domain.caller import RequestMeta
from warehouse_inventory.domain.clock import utc_now
from warehouse_inventory.domain.errors import NotFound, ValidationFailed
from warehouse_inventory.domain.paging import Page
from warehouse_inventory.domain.stock import (
    Adjustment,
    MovementMeta,
    MovementType,
    SkuStock,
    StockLevel,
)
from warehouse_inventory.observability import best_effort
from warehouse_inventory.schemas.inventory import AdjustIn, PickIn, RestockIn, TransferIn
from warehouse_inventory.services.paging import CursorCodec

if TYPE_CHECKING:
    from warehouse_inventory.services.ports import InventoryRepository


class InventoryService:
    def __init__(
        self,
        repository: "InventoryRepository",
        cursors: CursorCodec,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._cursors = cursors
        self._clock = clock

    def _movement(
        self,
        kind: MovementType,
        meta: RequestMeta,
        reference: str | None = None,
        reason: str | None = None,
        transfer_id: str | None = None,
    ) -> MovementMeta:
        return MovementMeta(
            type=kind,
            actor=meta.principal.name,
            request_id=meta.request_id,
            operation_id=meta.operation,
            occurred_at=self._clock(),
            reason=reason,
            reference=reference,
            transfer_id=transfer_id,
        )

    def restock(self, request: RestockIn, meta: RequestMeta) -> StockLevel:
        """One atomic write, then the item is ensured: it may never have existed, or have been
        deleted while the stock was zero (a restock re-creates it at once)."""
        movement = self._movement(MovementType.RESTOCK, meta, request.reference)
        level = self._repository.apply_restock(
            request.sku, request.location_code, request.quantity, movement
        )
        self._ensure_item(request.sku, movement.occurred_at)
        return level

    def pick(self, request: PickIn, meta: RequestMeta) -> StockLevel:
        movement = self._movement(MovementType.PICK, meta, request.reference)
        with self._unknown_sku_named(request.sku):
            return self._repository.apply_pick(
                request.sku, request.location_code, request.quantity, movement
            )

    def transfer(self, request: TransferIn, meta: RequestMeta) -> tuple[StockLevel, StockLevel]:
        """Both legs share a transfer id, so the audit trail can pair them."""
        transfer_id = f"trf_{uuid.uuid4().hex}"
        leaving = self._movement(
            MovementType.TRANSFER_OUT, meta, request.reference, transfer_id=transfer_id
        )
        arriving = replace(leaving, type=MovementType.TRANSFER_IN)
        with self._unknown_sku_named(request.sku):
            return self._repository.apply_transfer(
                request.sku,
                request.from_location,
                request.to_location,
                request.quantity,
                (leaving, arriving),
            )

    def adjust(
        self, request: AdjustIn, meta: RequestMeta, if_match: int | None = None
    ) -> Adjustment:
        """A cycle count: set what was counted; conditional when a version is given."""
        if (
            None not in (if_match, request.expected_version)
            and if_match != request.expected_version
        ):
            raise ValidationFailed(
                "If-Match and expected_version disagree.",
                [{"field": "expected_version", "message": "differs from If-Match"}],
            )
        expected = request.expected_version if request.expected_version is not None else if_match
        movement = self._movement(MovementType.ADJUST, meta, reason=str(request.reason))
        adjustment = self._repository.apply_adjust(
            request.sku, request.location_code, request.counted_quantity, movement, expected
        )
        self._ensure_item(request.sku, movement.occurred_at)  # as after a restock
        return adjustment

    def _ensure_item(self, sku: str, now: datetime) -> None:
        """Best effort once the stock change is committed: failing the request now would make the
        client retry and restock twice. A missing item is logged and created by the SKU's next
        restock or adjust."""
        with best_effort("ensure item", sku=sku):
            self._repository.ensure_item(sku, now)

    @contextmanager
    def _unknown_sku_named(self, sku: str) -> Iterator[None]:
        """A missing stock record of a SKU nothing is known of is an unknown SKU, not a missing
        location: one more read, on that error only, says which."""
        try:
            yield
        except NotFound:
            self.sku_stock(sku)  # NotFound naming the SKU, when it is unknown
            raise

    def sku_stock(self, sku: str) -> SkuStock:
        stock = self._repository.sku_stock(sku)
        if not stock.known:
            raise NotFound(f"SKU {sku} is not known.")
        return stock

    def list_stock(
        self, location_code: str | None, limit: int, cursor: str | None
    ) -> Page[StockLevel, str]:
        return self._cursors.page(
            f"inventory?location_code={location_code or ''}",
            cursor,
            lambda start: self._repository.list_stock(location_code, limit, start),
        )
