"""Item master data rules. No FastAPI, boto3 or Lambda types here."""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from warehouse_inventory.domain.clock import utc_now
from warehouse_inventory.domain.errors import NotFound
from warehouse_inventory.domain.items import Item, ItemFields
from warehouse_inventory.domain.paging import Page
from warehouse_inventory.services.paging import CursorCodec

if TYPE_CHECKING:
    from warehouse_inventory.services.ports import ItemRepository

ITEMS_SCOPE = "items"


class ItemService:
    def __init__(
        self,
        repository: "ItemRepository",
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

    def list(self, limit: int, cursor: str | None) -> Page[Item, str]:
        return self._cursors.page(
            ITEMS_SCOPE, cursor, lambda start: self._repository.list_items(limit, start)
        )

    def delete(self, sku: str) -> None:
        self._repository.delete_item(sku)
