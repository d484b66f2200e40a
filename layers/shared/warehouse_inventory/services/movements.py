"""Movement history, newest first, for `/reports/movements`: the audit log a page at a time,
narrowed by a MovementFilter (whose scope a cursor is bound to)."""

from typing import TYPE_CHECKING

from warehouse_inventory.domain.history import MovementFilter
from warehouse_inventory.domain.paging import Page
from warehouse_inventory.services.paging import CursorCodec

if TYPE_CHECKING:
    from warehouse_inventory.schemas.movements import Movement
    from warehouse_inventory.services.ports import AuditLog


class MovementHistory:
    def __init__(self, repository: "AuditLog", cursors: CursorCodec) -> None:
        self._repository = repository
        self._cursors = cursors

    def newest_first(
        self, wanted: MovementFilter, limit: int, cursor: str | None
    ) -> Page["Movement", str]:
        return self._cursors.page(
            wanted.scope(),
            cursor,
            lambda start: self._repository.newest_first(wanted, limit, start),
        )
