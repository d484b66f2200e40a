"""The audit table's sort key orders movements by time, whatever their microseconds."""

from datetime import UTC, datetime, timedelta

from warehouse_inventory.dal.audit_repository import sort_key
from warehouse_inventory.domain.stock import MovementType
from warehouse_inventory.schemas.movements import Movement


def movement_at(occurred_at: datetime) -> Movement:
    return Movement(
        movement_id="SKU1@A-1#1",
        type=MovementType.RESTOCK,
        sku="SKU1",
        location_code="A-1",
        delta=1,
        quantity_after=1,
        actor="tester",
        request_id="req-1",
        occurred_at=occurred_at,
    )


def test_a_whole_second_sorts_before_the_microseconds_after_it() -> None:
    whole = datetime(2026, 11, 27, 12, 0, 5, tzinfo=UTC)
    times = [whole - timedelta(microseconds=1), whole, whole + timedelta(microseconds=500)]
    keys = [sort_key(movement_at(time)) for time in times]
    assert keys == sorted(keys)
    assert keys[1].startswith("2026-11-27T12:00:05.000000Z#")
