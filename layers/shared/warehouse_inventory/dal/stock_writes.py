"""The one builder of each movement's write to a stock record. A restock, pick or adjust sent
alone is one UpdateItem of its write; a transfer's two legs and a batch's entries are the same
writes as the Update actions of one TransactWriteItems. So a movement's update logic exists
once, and every write carries its own `last_movement` and the retry guard, however it is sent.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from warehouse_inventory.dal import keys
from warehouse_inventory.dal.dynamodb import Record, from_item, to_attribute
from warehouse_inventory.dal.expressions import Expression
from warehouse_inventory.dal.retry_guard import not_a_retry, remember, remember_replaced_quantity
from warehouse_inventory.domain.errors import (
    InsufficientStock,
    NotFound,
    PreconditionFailed,
    WarehouseError,
)
from warehouse_inventory.domain.stock import (
    Adjust,
    MovementMeta,
    Pick,
    Restock,
    StockLevel,
    StockMovement,
    Transfer,
)

Refusal = Callable[[Record | None], WarehouseError]
"""What a write's own failed condition means, given the record as it was (ALL_OLD; None when
there was no record)."""


def movement_attribute(movement: MovementMeta) -> dict[str, Any]:
    fields = asdict(movement) | {
        "operation_id": None,  # remembered by the retry slots, not part of the movement
        "type": str(movement.type),
        "occurred_at": movement.occurred_at.isoformat(),
    }
    return to_attribute({name: value for name, value in fields.items() if value is not None})


def stock_level(item: Record) -> StockLevel:
    record = from_item(item)
    return StockLevel(
        sku=record["sku"],
        location_code=record.get("location_code"),
        quantity=int(record["quantity"]),
        version=int(record["version"]),
        updated_at=datetime.fromisoformat(record["updated_at"]),
    )


def movement_expression(sku: str, location_code: str | None, movement: MovementMeta) -> Expression:
    """What every stock write sets besides the quantity: identity, index keys, version + 1, the
    movement, and the operation id in its retry slots (retry_guard.py)."""
    expression = Expression().set("sku", sku).set("updated_at", movement.occurred_at.isoformat())
    for name, value in keys.stock_index_attributes(sku, location_code).items():
        expression.set(name, value)
    if location_code:
        expression.set("location_code", location_code)
    expression.add("version", 1).set("last_movement", movement_attribute(movement))
    return remember(expression, movement.operation)


@dataclass(frozen=True)
class StockWrite:
    """One movement's update of one stock record, under the retry guard: a resend of an
    operation that already applied fails the guard, and the record it gets back
    (ReturnValuesOnConditionCheckFailure=ALL_OLD) shows the operation in its slots."""

    sku: str
    location_code: str | None
    expression: Expression
    operation: str
    condition: str | None = None
    """The movement's own condition (stock on hand, the expected version), besides the guard."""
    refusal: Refusal | None = None

    @property
    def key(self) -> dict[str, Any]:
        return keys.stock_key(self.sku, self.location_code)

    def request(self, table: str, **options: Any) -> dict[str, Any]:
        """The parameters of its UpdateItem, or of its Update action in a transaction."""
        guard = f"({not_a_retry(self.expression, self.operation)})"
        condition = guard + (f" AND ({self.condition})" if self.condition else "")
        return self.expression.update(
            table, self.key, condition, ReturnValuesOnConditionCheckFailure="ALL_OLD", **options
        )


def restock_write(
    sku: str, location_code: str | None, quantity: int, movement: MovementMeta
) -> StockWrite:
    """ADD is atomic under any concurrency: no read first, and a new record starts at 0."""
    expression = movement_expression(sku, location_code, movement).add("quantity", quantity)
    return StockWrite(sku, location_code, expression, movement.operation)


def pick_write(
    sku: str, location_code: str | None, quantity: int, movement: MovementMeta
) -> StockWrite:
    """`quantity >= :n` guards the decrement; the failed condition reports what was there."""
    expression = movement_expression(sku, location_code, movement)
    quantity_name = expression.name("quantity")
    wanted = expression.value("quantity", quantity)
    expression.set_raw(f"{quantity_name} = {quantity_name} - {wanted}")
    condition = f"attribute_exists(pk) AND {quantity_name} >= {wanted}"

    def shortage(record: Record | None) -> WarehouseError:
        if not record:
            where = f"at {location_code}" if location_code else "unassigned"
            return NotFound(f"No stock of {sku} {where}.")
        return InsufficientStock(available=int(from_item(record)["quantity"]), requested=quantity)

    return StockWrite(sku, location_code, expression, movement.operation, condition, shortage)


def adjust_write(
    sku: str,
    location_code: str | None,
    counted: int,
    movement: MovementMeta,
    expected_version: int | None,
) -> StockWrite:
    """SET the counted quantity, conditional on the version when one is given. The write keeps
    the quantity it replaced beside its retry slots (retry_guard.py), so whoever reads the
    record afterwards (a transaction's results, a recognised retry) knows the delta."""
    expression = movement_expression(sku, location_code, movement).set("quantity", counted)
    remember_replaced_quantity(expression, movement.operation)
    if expected_version is None:
        return StockWrite(sku, location_code, expression, movement.operation)
    version = expression.name("version")
    condition = f"{version} = {expression.value('expected_version', expected_version)}"

    def stale(record: Record | None) -> WarehouseError:
        current = int(from_item(record or {}).get("version", 0))
        return PreconditionFailed(
            f"Version {expected_version} is stale; the record is at version {current}."
        )

    return StockWrite(sku, location_code, expression, movement.operation, condition, stale)


def transfer_writes(
    sku: str,
    source: str | None,
    destination: str | None,
    quantity: int,
    movements: tuple[MovementMeta, MovementMeta],
) -> tuple[StockWrite, StockWrite]:
    """A pick at the source and a restock at the destination, each with its leg's movement."""
    leaving, arriving = movements
    return (
        pick_write(sku, source, quantity, leaving),
        restock_write(sku, destination, quantity, arriving),
    )


def writes_of(change: StockMovement) -> tuple[StockWrite, ...]:
    """The writes of one movement, in the order of `domain.stock.records_of`."""
    match change:
        case Restock(sku, location, quantity, movement):
            return (restock_write(sku, location, quantity, movement),)
        case Pick(sku, location, quantity, movement):
            return (pick_write(sku, location, quantity, movement),)
        case Adjust(sku, location, counted, movement, expected_version):
            return (adjust_write(sku, location, counted, movement, expected_version),)
        case Transfer(sku, source, destination, quantity, movements):
            return transfer_writes(sku, source, destination, quantity, movements)
    raise TypeError(change)
