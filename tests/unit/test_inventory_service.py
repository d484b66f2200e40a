"""InventoryService rules, against the in-memory repository."""

from datetime import UTC, datetime

import pytest

from tests.support.fakes import FakeInventoryRepository
from warehouse_inventory.domain.caller import ANONYMOUS, Principal, RequestMeta
from warehouse_inventory.domain.errors import InvalidCursor, NotFound
from warehouse_inventory.domain.stock import MovementType
from warehouse_inventory.schemas.inventory import AdjustIn, AdjustReason, PickIn, RestockIn
from warehouse_inventory.services.inventory import InventoryService
from warehouse_inventory.services.paging import CursorCodec

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
META = RequestMeta(principal=Principal("t-1", "scanner-7", "operator"), request_id="req-1")


@pytest.fixture
def repository() -> FakeInventoryRepository:
    return FakeInventoryRepository()


@pytest.fixture
def service(repository: FakeInventoryRepository) -> InventoryService:
    return InventoryService(repository, CursorCodec(b"k" * 32, 3600), clock=lambda: NOW)


def restock(sku: str = "ABC", quantity: int = 5, location: str | None = "A-1") -> RestockIn:
    return RestockIn(sku=sku, quantity=quantity, location_code=location, reference="PO-9")


def test_restock_adds_and_counts_versions(service: InventoryService) -> None:
    first = service.restock(restock(quantity=5), META)
    second = service.restock(restock(quantity=7), META)
    assert (first.quantity, first.version) == (5, 1)
    assert (second.quantity, second.version, second.updated_at) == (12, 2, NOW)


def test_restock_records_who_why_and_when(
    service: InventoryService, repository: FakeInventoryRepository
) -> None:
    service.restock(restock(), META)
    ((_, movement),) = repository.movements
    assert movement.type is MovementType.RESTOCK
    assert (movement.actor, movement.request_id, movement.reference) == (
        "scanner-7",
        "req-1",
        "PO-9",
    )
    assert movement.occurred_at == NOW


def test_anonymous_caller_is_recorded_as_anonymous(
    service: InventoryService, repository: FakeInventoryRepository
) -> None:
    service.restock(restock(), RequestMeta(ANONYMOUS, "req-2"))
    assert repository.movements[0][1].actor == "anonymous"


def test_every_restock_and_adjust_ensures_the_item_and_pick_does_not(
    service: InventoryService, repository: FakeInventoryRepository
) -> None:
    """The item may have been deleted while the stock was zero: any restock or adjust after
    that creates it again at once, whichever record it touches."""
    service.restock(restock(location="A-1"), META)
    service.restock(restock(location="A-1"), META)
    assert repository.ensure_item_calls == 2
    service.pick(PickIn(sku="ABC", quantity=1, location_code="A-1"), META)
    assert repository.ensure_item_calls == 2
    count = AdjustIn(
        sku="ABC", location_code="A-1", counted_quantity=4, reason=AdjustReason.CYCLE_COUNT
    )
    service.adjust(count, META)
    assert repository.ensure_item_calls == 3
    assert set(repository.items) == {"ABC"}


def test_throttled_item_write_does_not_fail_a_committed_restock(
    service: InventoryService, repository: FakeInventoryRepository
) -> None:
    repository.fail_ensure_item = True
    level = service.restock(restock(quantity=3), META)
    assert (level.quantity, level.version) == (3, 1)
    assert repository.levels[("ABC", "A-1")].quantity == 3


def test_unknown_sku_is_not_found(service: InventoryService) -> None:
    with pytest.raises(NotFound):
        service.sku_stock("NOPE")


def test_known_item_without_stock_has_zero_total(
    service: InventoryService, repository: FakeInventoryRepository
) -> None:
    repository.items["EMPTY"] = NOW
    stock = service.sku_stock("EMPTY")
    assert (stock.total_quantity, stock.levels) == (0, [])


def test_sku_total_sums_every_location(service: InventoryService) -> None:
    service.restock(restock(quantity=2, location="A-1"), META)
    service.restock(restock(quantity=3, location="B-2"), META)
    service.restock(restock(quantity=4, location=None), META)
    assert service.sku_stock("ABC").total_quantity == 9


def test_pages_walk_every_level_once(service: InventoryService) -> None:
    for n in range(7):
        service.restock(restock(sku=f"SKU{n}"), META)
    seen, cursor = [], None
    while True:
        page = service.list_stock(None, 3, cursor)
        seen += [level.sku for level in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert seen == [f"SKU{n}" for n in range(7)]


def test_cursor_of_one_location_is_refused_for_another(service: InventoryService) -> None:
    for n in range(3):
        service.restock(restock(sku=f"SKU{n}", location="A-1"), META)
    cursor = service.list_stock("A-1", 1, None).next
    assert cursor is not None
    with pytest.raises(InvalidCursor):
        service.list_stock("B-2", 1, cursor)
