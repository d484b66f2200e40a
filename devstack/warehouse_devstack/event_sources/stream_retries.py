"""Retries of one stream batch, as Lambda's event source mapping does them for a shard.

A batch blocks its shard until it is done or given up, so no later record of the shard reaches
the function before an earlier one (per-shard order). A reported item failure means "retry from
this record": the records before it are done. An exception retries the whole batch, split in two
first when BisectBatchOnFunctionError is on. Each failed invocation counts one try for the
records it carried (the halves of a split inherit the count); past MaximumRetryAttempts the
records are handed to `give_up` (the on-failure destination) and the shard moves on.
"""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    retry_from: int | None  # index of the first record to retry; None: the batch is done
    error: str | None = None  # the handler's exception (bisect applies), else None


DONE = Outcome(retry_from=None)


@dataclass(frozen=True)
class RetryPolicy:
    maximum_retry_attempts: int  # negative: retry until stopped (Lambda: until records expire)
    bisect_on_error: bool
    base_seconds: float = 0.1
    max_seconds: float = 1.0

    def backoff(self, tries: int) -> float:
        """Exponential, capped low: local retries should be watchable, not minutes apart."""
        return float(min(self.base_seconds * 2 ** (tries - 1), self.max_seconds))

    def exhausted(self, tries: int) -> bool:
        """`tries` failed invocations = 1 first attempt + tries - 1 retries."""
        return 0 <= self.maximum_retry_attempts < tries


@dataclass(frozen=True)
class _Attempt:
    records: list[Record]
    tries: int


class BatchDelivery:
    def __init__(
        self,
        invoke: Callable[[list[Record]], Outcome],
        give_up: Callable[[list[Record], int, str], None],
        wait: Callable[[float], bool],
        policy: RetryPolicy,
    ) -> None:
        """`wait(seconds)` sleeps and returns True when the stack is stopping."""
        self._invoke = invoke
        self._give_up = give_up
        self._wait = wait
        self._policy = policy

    def deliver(self, records: list[Record]) -> None:
        """Return once every record is done or given up (or the stack stops)."""
        pending = deque([_Attempt(records, 0)])
        while pending:
            attempt = pending.popleft()
            outcome = self._invoke(attempt.records)
            if outcome.retry_from is None:
                continue
            remaining = attempt.records[outcome.retry_from :]
            tries = attempt.tries + 1
            if self._policy.exhausted(tries):
                reason = outcome.error or "the function reported a batch item failure"
                self._give_up(remaining, tries, reason)
                continue
            if self._wait(self._policy.backoff(tries)):
                return
            pending.extendleft(reversed(self._split(remaining, tries, outcome)))

    def _split(self, records: list[Record], tries: int, outcome: Outcome) -> list[_Attempt]:
        if outcome.error is None or not self._policy.bisect_on_error or len(records) < 2:
            return [_Attempt(records, tries)]
        middle = len(records) // 2
        return [_Attempt(records[:middle], tries), _Attempt(records[middle:], tries)]
