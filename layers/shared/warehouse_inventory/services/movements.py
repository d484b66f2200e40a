"""Movement history, newest first, for `/reports/movements`: the audit log a page at a time."""

from typing import TYPE_CHECKING

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
        self, sku: str | None, location_code: str | None, limit: int, cursor: str | None
    ) -> Page["Movement", str]:
        return self._cursors.page(
            f"movements?sku={sku or ''}&location_code={location_code or ''}",
            cursor,
            lambda start: self._repository.newest_first(sku, location_code, limit, start),
        )
