"""What the stream and queue pollers share: daemon threads that stop when asked, and one log
line per invocation (function, batch, outcome, duration), like the gateway's.

Handlers run in the poller's own thread, in the same process as the HTTP handlers: the layer's
clients and services are thread-safe, and stream/queue handlers need no event loop.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import PSEUDO_PARAMETERS, FunctionSpec

logger = logging.getLogger(__name__)

ERROR_PAUSE_SECONDS = 1.0
STOP_TIMEOUT_SECONDS = 10.0  # then the daemon threads are left to end with the process
KEPT_INVOCATIONS = 10_000
REGION = PSEUDO_PARAMETERS["AWS::Region"]  # of the events' records, as the queue ARNs


@dataclass(frozen=True)
class Invocation:
    """One call of a function by a poller: which records it got and which it reported failed."""

    function: str
    source: str  # "stream" or "sqs"
    record_ids: tuple[str, ...]  # sequence numbers or message ids, in event order
    failed_ids: tuple[str, ...]
    error: str | None  # the exception the handler raised, if it did
    duration_ms: float

    @property
    def outcome(self) -> str:
        if self.error:
            return f"error: {self.error}"
        return f"{len(self.failed_ids)} failed" if self.failed_ids else "ok"

    def log(self) -> None:
        level = logging.WARNING if self.error else logging.INFO
        logger.log(
            level,
            "%s %s batch of %d -> %s (%.1f ms)",
            self.function,
            self.source,
            len(self.record_ids),
            self.outcome,
            self.duration_ms,
        )


@dataclass(frozen=True)
class Result:
    """What the handler returned, or the exception it raised."""

    value: Any
    error: str | None
    duration_ms: float


def call(spec: FunctionSpec, event: dict[str, Any]) -> Result:
    """Invoke the function's own handler; an exception is the function's error, as in Lambda."""
    started = time.perf_counter()
    try:
        value = invoke(spec, event)
    except Exception as exc:
        # As Lambda logs an unhandled error with its stack trace, on every failed invocation.
        logger.warning("%s raised", spec.logical_id, exc_info=True)
        return Result(None, _describe(exc), (time.perf_counter() - started) * 1000)
    return Result(value, None, (time.perf_counter() - started) * 1000)


def _describe(exc: Exception) -> str:
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first_line}"[:300]


def reported_failures(result: Result) -> list[Any] | None:
    """The `batchItemFailures` identifiers, [] for a success, None when the response is not one
    Lambda accepts (it then treats the whole batch as failed)."""
    if not isinstance(result.value, dict):
        return []
    failures = result.value.get("batchItemFailures") or []
    if not isinstance(failures, list):
        return None
    identifiers = [
        entry.get("itemIdentifier") if isinstance(entry, dict) else None for entry in failures
    ]
    return None if any(not identifier for identifier in identifiers) else identifiers


class Poller:
    """Calls `poll_once` on daemon threads of its own (`workers` of them, each a batch in
    flight) until stopped; an unexpected error is logged and polling goes on."""

    def __init__(self, name: str, workers: int = 1) -> None:
        self.name = name
        self.stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}#{index}", daemon=True)
            for index in range(workers)
        ]
        self._invocations: deque[Invocation] = deque(maxlen=KEPT_INVOCATIONS)
        self._lock = threading.Lock()

    def describe(self) -> str:
        raise NotImplementedError

    def poll_once(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Ask the threads to stop and wait for them (invocations in progress finish first)."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0))
        if any(thread.is_alive() for thread in self._threads):
            logger.warning("%s still busy after %.0f s; leaving it", self.name, timeout)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except Exception:
                logger.exception(
                    "%s: polling failed; again in %.0f s", self.name, ERROR_PAUSE_SECONDS
                )
                self.stopping.wait(ERROR_PAUSE_SECONDS)

    def record(self, invocation: Invocation) -> None:
        invocation.log()
        with self._lock:
            self._invocations.append(invocation)

    def invocations(self) -> list[Invocation]:
        """The most recent invocations, oldest first (for tests and diagnostics)."""
        with self._lock:
            return list(self._invocations)


@contextmanager
def polling(pollers: Sequence[Poller]) -> Iterator[Sequence[Poller]]:
    """Start every poller; on exit ask them all to stop at once, then wait for each."""
    for poller in pollers:
        poller.start()
    try:
        yield pollers
    finally:
        for poller in pollers:
            poller.stopping.set()
        for poller in pollers:
            poller.stop()
