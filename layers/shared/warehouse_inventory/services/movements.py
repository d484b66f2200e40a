"""Movement history, newest first, for `/reports/movements`."""

from dataclasses import dataclass

from warehouse_inventory.dal.audit_repository import AuditRepository
from warehouse_inventory.schemas.movements import Movement
from warehouse_inventory.services.paging import CursorCodec


@dataclass(frozen=True)
class MovementsPage:
    items: list[Movement]
    next_cursor: str | None


class MovementHistory:
    def __init__(self, repository: AuditRepository, cursors: CursorCodec) -> None:
        self._repository = repository
        self._cursors = cursors

    def newest_first(
        self, sku: str | None, location_code: str | None, limit: int, cursor: str | None
    ) -> MovementsPage:
        scope = f"movements?sku={sku or ''}&location_code={location_code or ''}"
        start = self._cursors.decode(cursor, scope) if cursor else None
        items, next_key = self._repository.newest_first(sku, location_code, limit, start)
        next_cursor = self._cursors.encode(next_key, scope) if next_key else None
        return MovementsPage(items=items, next_cursor=next_cursor)
