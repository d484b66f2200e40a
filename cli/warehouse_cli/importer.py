"""Sending an import's lines: concurrent across stock records, in file order within one.

Lines for the same (sku, location) touch the same stock record and may depend on each other
(a pick after its restock, a count after both), so each such group is sent sequentially in file
order; different groups are independent and go concurrently on a bounded thread pool. Largest
groups start first so a long group does not become the tail.
"""

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from types import FrameType

from warehouse_cli.api import ApiClient, ApiError, ApiUnreachable
from warehouse_cli.idempotency import idempotency_key
from warehouse_cli.import_file import ImportLine


class Outcome(StrEnum):
    APPLIED = "applied"
    REPLAYED = "replayed"  # applied by an earlier run: the API answered from its key store
    REJECTED = "rejected"
    NOT_SENT = "not_sent"  # stopped before it was sent (or unknown: the API went away)


@dataclass(frozen=True)
class LineResult:
    line: ImportLine
    outcome: Outcome
    reason: str | None = None


@contextmanager
def ctrl_c_calls(on_interrupt: Callable[[], None]) -> Iterator[None]:
    """While the block runs, Ctrl-C (SIGINT) calls `on_interrupt` instead of raising
    KeyboardInterrupt wherever the main thread happens to be: raised inside the thread pool's
    own bookkeeping (while it starts a worker), it left a running worker the pool did not know
    of, whose line then finished after the summary and was reported "not sent". A second
    Ctrl-C raises KeyboardInterrupt as usual, to give up at once. Only the main thread can set
    a signal handler; elsewhere no SIGINT arrives anyway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    restore = signal.default_int_handler if previous is None else previous

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, restore)
        on_interrupt()

    signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, restore)


def group_lines(lines: Iterable[ImportLine]) -> list[list[ImportLine]]:
    """Lines per stock record, file order kept inside each group, largest group first."""
    groups: dict[tuple[str, str | None], list[ImportLine]] = {}
    for line in lines:
        groups.setdefault((line.sku, line.location_code), []).append(line)
    return sorted(groups.values(), key=len, reverse=True)


class Importer:
    """One import run. `stop()` (Ctrl-C, `--stop-after`) lets lines in flight finish and sends
    no more; `on_result` sees every line as it completes (progress)."""

    def __init__(
        self,
        api: ApiClient,
        digest: str,
        *,
        concurrency: int = 8,
        stop_after: int | None = None,
        on_result: Callable[[LineResult], None] = lambda result: None,
    ) -> None:
        self._api = api
        self._digest = digest
        self._concurrency = concurrency
        self._stop_after = stop_after
        self._on_result = on_result
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._results: dict[int, LineResult] = {}
        self.unreachable: str | None = None
        self.interrupted = False

    def stop(self) -> None:
        self._stopped.set()

    def run(self, lines: list[ImportLine]) -> list[LineResult]:
        """Every line's result, in file order. Ctrl-C at any point stops it cleanly: lines in
        flight finish, the rest are `NOT_SENT`, `interrupted` is set; a re-run completes it.

        Workers record each result as it happens (not through their futures), so a line sent
        just before the interruption is still reported."""
        futures: list[Future[None]] = []
        pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="import")
        with ctrl_c_calls(self._interrupt), pool:  # restored only once the workers are done
            for group in group_lines(lines):
                futures.append(pool.submit(self._send_group, group))
            wait(futures)
        for future in futures:
            future.result()  # a bug in a worker surfaces here instead of vanishing
        ordered = sorted(lines, key=lambda line: line.number)
        return [
            self._results.get(line.number) or LineResult(line, Outcome.NOT_SENT) for line in ordered
        ]

    def _interrupt(self) -> None:
        self.interrupted = True
        self.stop()

    def _send_group(self, group: list[ImportLine]) -> None:
        for line in group:
            if self._stopped.is_set():
                return
            self._record(self._send(line))

    def _send(self, line: ImportLine) -> LineResult:
        key = idempotency_key(self._digest, line.number)
        try:
            posted = self._api.post(line.path, line.body(), key)
        except ApiError as error:
            return LineResult(line, Outcome.REJECTED, error.describe())
        except ApiUnreachable as error:
            self.unreachable = str(error)
            self.stop()  # every other line would fail the same way, slowly
            return LineResult(line, Outcome.NOT_SENT, str(error))
        return LineResult(line, Outcome.REPLAYED if posted.replayed else Outcome.APPLIED)

    def _record(self, result: LineResult) -> None:
        with self._lock:
            self._results[result.line.number] = result
            if self._stop_after is not None and len(self._results) >= self._stop_after:
                self.stop()
        self._on_result(result)
