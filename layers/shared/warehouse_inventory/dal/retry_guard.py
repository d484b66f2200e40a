"""The retry guard every stock write carries: a second attempt at an operation that already
applied is refused by the write itself (docs/idempotency.md).

Each write stores its operation id in two of 64 slot attributes (`rq0`…`rq63`) chosen by the
id's hash, and is conditional on neither holding it already. A resend of an applied write fails
its condition, and the record it returns (`ReturnValuesOnConditionCheckFailure=ALL_OLD`) says
it was ours, even when other writes landed in between, unless they overwrote both slots. A
bounded set of slots keeps the record's size fixed, which a list of recent ids could not
(DynamoDB cannot trim a list in the same update).

An adjust also stores, next to each slot (`rq5q`), the quantity it replaced, read by the same
update (`if_not_exists(quantity, 0)` is evaluated against the record before the write): a
recognised retry then knows its delta even after other writes changed the quantity.
"""

import hashlib
from typing import Any

from warehouse_inventory.dal.expressions import Expression

RETRY_SLOTS = 64


def retry_slots(operation: str) -> tuple[str, str]:
    """The two attributes that remember this operation on a record: two different slots, from
    two parts of the id's hash."""
    digest = hashlib.sha256(operation.encode()).digest()
    first = int.from_bytes(digest[:4]) % RETRY_SLOTS
    second = (first + 1 + int.from_bytes(digest[4:8]) % (RETRY_SLOTS - 1)) % RETRY_SLOTS
    return f"rq{first}", f"rq{second}"


def remember(expression: Expression, operation: str) -> Expression:
    """Store the operation id in its slots (part of the write's update)."""
    for slot in retry_slots(operation):
        expression.set(slot, operation)
    return expression


def remember_replaced_quantity(expression: Expression, operation: str) -> Expression:
    """Store, beside each slot, the quantity this write replaces (0 for a new record)."""
    quantity, zero = expression.name("quantity"), expression.value("zero", 0)
    for slot in retry_slots(operation):
        expression.set_raw(f"{expression.name(slot + 'q')} = if_not_exists({quantity}, {zero})")
    return expression


def not_a_retry(expression: Expression, operation: str) -> str:
    """The write's guard: neither slot holds the id."""
    held = []
    for slot in retry_slots(operation):
        name, value = expression.name(slot), expression.value(slot, operation)
        held.append(f"(attribute_not_exists({name}) OR {name} <> {value})")
    return " AND ".join(held)


def held_slot(item: dict[str, Any] | None, operation: str) -> str | None:
    """The slot of `item` (DynamoDB JSON) that still holds the operation: it applied there."""
    for slot in retry_slots(operation):
        if (item or {}).get(slot, {}).get("S") == operation:
            return slot
    return None


def replaced_quantity(item: dict[str, Any], operation: str) -> int:
    """What the operation's write replaced, from the record it applied to (an adjust)."""
    slot = held_slot(item, operation)
    if slot is None:
        raise ValueError("the record does not remember this operation")
    return int(item[slot + "q"]["N"])


def transaction_token(operation: str, request: str) -> str:
    """ClientRequestToken (≤ 36 chars): DynamoDB refuses to apply a token twice within 10
    minutes of its success (IdempotentParameterMismatch when the parameters differ). `request`
    tells apart what one operation asks for in different requests (a batch resent without the
    entry that was refused): another request is another transaction, never taken for an
    earlier one, whatever DynamoDB keeps of a token whose transaction it cancelled."""
    return hashlib.sha256(f"{operation}\n{request}".encode()).hexdigest()[:36]
