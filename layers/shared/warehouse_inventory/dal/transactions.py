"""The one rule for a write that lost a race to another writer: try again, a bounded number of
times, then 409.

A race is a transaction cancelled because another one held a record (TransactionConflict), or an
optimistic write whose condition saw another writer's change meanwhile (the projections' marker
and item total). Each attempt reads again and builds its write afresh; between attempts waits a
jittered, doubling backoff (full jitter: the writers that collided do not collide again in
step). After ATTEMPTS the records are busy: Conflict (409) for a client to retry, a failed
record for the stream to deliver again. Throttling inside a transaction is ServiceUnavailable,
as for any other call, never a race.
"""

import random
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from warehouse_inventory.dal.dynamodb import error_code
from warehouse_inventory.domain.errors import Conflict, ServiceUnavailable

ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 0.05
THROTTLED_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})


class Busy(Exception):
    """An attempt lost a race to another writer: worth another attempt."""


def retry_while_busy[T](attempt: Callable[[], T], busy_message: str) -> T:
    """`attempt()`'s result, once it does not raise Busy; Conflict(busy_message) after ATTEMPTS."""
    for number in range(ATTEMPTS - 1):
        try:
            return attempt()
        except Busy:
            time.sleep(random.uniform(0, BACKOFF_BASE_SECONDS * 2**number))  # noqa: S311
    try:
        return attempt()
    except Busy as exc:
        raise Conflict(busy_message) from exc


def cancellation_reasons(exc: ClientError) -> list[dict[str, Any]] | None:
    """Why each item of a cancelled TransactWriteItems failed (its `Code`, and the record as it
    was for a failed condition: `Item`); None when `exc` is not a cancellation."""
    if error_code(exc) != "TransactionCanceledException":
        return None
    reasons: list[dict[str, Any]] = exc.response.get("CancellationReasons", [])  # type: ignore[assignment]
    return list(reasons)


def raise_if_throttled(exc: ClientError, reasons: list[dict[str, Any]]) -> None:
    """Throttling of any item is a busy table, not a lost race: ServiceUnavailable."""
    if {reason.get("Code") for reason in reasons} & THROTTLED_REASONS:
        raise ServiceUnavailable("DynamoDB is throttling requests.") from exc


def lost_race(reasons: list[dict[str, Any]]) -> bool:
    """Another transaction held one of the records."""
    return any(reason.get("Code") == "TransactionConflict" for reason in reasons)
