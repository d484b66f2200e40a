"""Item master data rules. No FastAPI, boto3 or Lambda types here (principle 3)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from warehouse_inventory.domain.errors import NotFound
from warehouse_inventory.domain.items import Item, ItemFields
from warehouse_inventory.domain.stock import utc_now
from warehouse_inventory.services.paging import CursorCodec
from warehouse_inventory.services.ports import ItemRepository

ITEMS_SCOPE = "items"


@dataclass(frozen=True)
class ItemsPage:
    items: list[Item]
    next_cursor: str | None


class ItemService:
    def __init__(
        self,
        repository: ItemRepository,
        cursors: CursorCodec,
        refresh_item: Callable[[str], object] = lambda sku: None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._cursors = cursors
        self._refresh_item = refresh_item
        self._clock = clock

    def put(self, sku: str, fields: ItemFields, expected_version: int | None) -> Item:
        """A new reorder point can move the SKU in or out of the low-stock report at once."""
        item = self._repository.put_item(sku, fields, self._clock(), expected_version)
        self._refresh_item(sku)
        return item

    def get(self, sku: str) -> Item:
        item = self._repository.get_item(sku)
        if item is None:
            raise NotFound(f"Item {sku} does not exist.")
        return item

    def list(self, limit: int, cursor: str | None) -> ItemsPage:
        start = self._cursors.decode(cursor, ITEMS_SCOPE) if cursor else None
        page = self._repository.list_items(limit, start)
        next_cursor = self._cursors.encode(page.next_key, ITEMS_SCOPE) if page.next_key else None
        return ItemsPage(items=page.items, next_cursor=next_cursor)

    def delete(self, sku: str) -> None:
        self._repository.delete_item(sku)
