"""Stock rules: the four movements, alone or in a batch, and reading levels; no FastAPI, boto3
or Lambda types."""

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from warehouse_inventory.domain.caller import RequestMeta
from warehouse_inventory.domain.clock import utc_now
from warehouse_inventory.domain.errors import NotFound, RefusedEntry, ValidationFailed
from warehouse_inventory.domain.paging import Page
from warehouse_inventory.domain.stock import (
    Adjust,
    Adjustment,
    MovementMeta,
    MovementOutcome,
    MovementType,
    Pick,
    Restock,
    SkuStock,
    StockLevel,
    StockMovement,
    Transfer,
)
from warehouse_inventory.observability import best_effort
from warehouse_inventory.schemas.inventory import AdjustIn, PickIn, RestockIn, TransferIn
from warehouse_inventory.services.paging import CursorCodec

if TYPE_CHECKING:
    from warehouse_inventory.schemas.batch import MovementBatchIn
    from warehouse_inventory.services.ports import InventoryRepository

MovementIn = RestockIn | PickIn | TransferIn | AdjustIn


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
        at: datetime,
        reference: str | None = None,
        reason: str | None = None,
        transfer_id: str | None = None,
    ) -> MovementMeta:
        return MovementMeta(
            type=kind,
            actor=meta.principal.name,
            request_id=meta.request_id,
            operation_id=meta.operation,
            occurred_at=at,
            reason=reason,
            reference=reference,
            transfer_id=transfer_id,
        )

    def _change(
        self,
        request: MovementIn,
        meta: RequestMeta,
        at: datetime,
        reference: str | None = None,
        expected_version: int | None = None,
    ) -> StockMovement:
        """The movement a request asks for, with what its writes carry. `reference` is the
        batch's, for an entry without one of its own (a count has none of its own)."""
        if isinstance(request, AdjustIn):
            reason = str(request.reason)
            movement = self._movement(MovementType.ADJUST, meta, at, reference, reason)
            expected = request.expected_version
            expected = expected if expected is not None else expected_version
            return Adjust(
                request.sku, request.location_code, request.counted_quantity, movement, expected
            )
        reference = request.reference or reference
        if isinstance(request, TransferIn):
            transfer_id = f"trf_{uuid.uuid4().hex}"  # pairs the two legs in the audit trail
            leaving = self._movement(
                MovementType.TRANSFER_OUT, meta, at, reference, transfer_id=transfer_id
            )
            arriving = replace(leaving, type=MovementType.TRANSFER_IN)
            return Transfer(
                request.sku,
                request.from_location,
                request.to_location,
                request.quantity,
                (leaving, arriving),
            )
        if isinstance(request, PickIn):
            movement = self._movement(MovementType.PICK, meta, at, reference)
            return Pick(request.sku, request.location_code, request.quantity, movement)
        movement = self._movement(MovementType.RESTOCK, meta, at, reference)
        return Restock(request.sku, request.location_code, request.quantity, movement)

    def restock(self, request: RestockIn, meta: RequestMeta) -> StockLevel:
        """One atomic write, then the item is ensured: it may never have existed, or have been
        deleted while the stock was zero (a restock re-creates it at once)."""
        change = self._change(request, meta, self._clock())
        assert isinstance(change, Restock)
        level = self._repository.apply_restock(
            change.sku, change.location_code, change.quantity, change.movement
        )
        self._ensure_items([change.sku], change.movement.occurred_at)
        return level

    def pick(self, request: PickIn, meta: RequestMeta) -> StockLevel:
        change = self._change(request, meta, self._clock())
        assert isinstance(change, Pick)
        with self._unknown_sku_named(request.sku):
            return self._repository.apply_pick(
                change.sku, change.location_code, change.quantity, change.movement
            )

    def transfer(self, request: TransferIn, meta: RequestMeta) -> tuple[StockLevel, StockLevel]:
        """Both legs share a transfer id, so the audit trail can pair them."""
        change = self._change(request, meta, self._clock())
        assert isinstance(change, Transfer)
        with self._unknown_sku_named(request.sku):
            return self._repository.apply_transfer(
                change.sku, change.source, change.destination, change.quantity, change.movements
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
        change = self._change(request, meta, self._clock(), expected_version=if_match)
        assert isinstance(change, Adjust)
        adjustment = self._repository.apply_adjust(
            change.sku,
            change.location_code,
            change.counted,
            change.movement,
            change.expected_version,
        )
        self._ensure_items([change.sku], change.movement.occurred_at)  # as after a restock
        return adjustment

    def apply_batch(self, batch: "MovementBatchIn", meta: RequestMeta) -> list[MovementOutcome]:
        """Every entry or none, in one transaction (the repository's); each entry's writes are
        the ones its own route makes, at one instant for the whole batch. A refused entry is
        answered with its own route's error, every details object naming it (`index`). The
        items of restocked and counted SKUs are ensured after the commit, as alone."""
        at = self._clock()
        changes = [self._change(entry, meta, at, batch.reference) for entry in batch.movements]
        try:
            outcomes = self._repository.apply_batch(changes)
        except RefusedEntry as refused:
            raise refused.answer() from refused
        restocked = [c.sku for c in changes if isinstance(c, Restock | Adjust)]
        self._ensure_items(restocked, at)
        return outcomes

    def _ensure_items(self, skus: Sequence[str], now: datetime) -> None:
        """Best effort once the stock change is committed: failing the request now would make the
        client retry and restock twice. A missing item is logged and created by the SKU's next
        restock or adjust."""
        distinct = sorted(set(skus))
        if not distinct:
            return
        with best_effort("ensure item", skus=distinct):
            if len(distinct) == 1:
                self._repository.ensure_item(distinct[0], now)
            else:
                self._repository.ensure_items(distinct, now)

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
