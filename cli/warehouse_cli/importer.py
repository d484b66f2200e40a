"""Sending an import's lines in batches (batches.py): one round after the other, the batches of a
round concurrently, each batch one POST /inventory/movements under its own Idempotency-Key.

A batch is all or nothing. When the API refuses one of its lines (409, 404, 412, naming the
entry by `index`), that line is reported with the API's reason and the batch is sent again
without it, under the same key (import_journal.py says why), until the rest applies.
"""

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from types import FrameType

from warehouse_cli.api import ApiClient, ApiError, ApiUnreachable
from warehouse_cli.batches import DEFAULT_BATCH_SIZE, Batch, plan
from warehouse_cli.idempotency import batch_key
from warehouse_cli.import_file import ImportLine
from warehouse_cli.import_journal import Journal

BATCH_PATH = "/inventory/movements"
DEFAULT_CONCURRENCY = 16
"""Requests in flight: a round of up to 1,600 lines goes at once in batches of 100, instead of
its last batches waiting for the first (each is one Lambda invocation, far inside an account's
concurrency). On the local stack 1,000 lines took 2.6 s at 16, 2.9 s at 8 (docs/performance.md)."""
REFUSALS_OF_ONE_ENTRY = frozenset({"insufficient_stock", "not_found", "precondition_failed"})


class Outcome(StrEnum):
    APPLIED = "applied"
    REPLAYED = "replayed"  # applied by an earlier run: the API answered from its key store
    REJECTED = "rejected"
    SENT_NO_ANSWER = "sent_no_answer"  # sent, the answer lost: maybe applied; a re-run settles it
    NOT_SENT = "not_sent"  # stopped before it was sent


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


def refused_entry(error: ApiError) -> int | None:
    """The position of the entry the API refused the batch for, if it named one."""
    if error.code not in REFUSALS_OF_ONE_ENTRY or not error.details:
        return None
    index = error.details[0].get("index") if isinstance(error.details[0], dict) else None
    return index if isinstance(index, int) else None


class Importer:
    """One import run. `stop()` (Ctrl-C, `--stop-after`) lets batches in flight finish and
    sends no more; `on_result` sees every line as it completes (progress)."""

    def __init__(
        self,
        api: ApiClient,
        digest: str,
        journal: Journal,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        batch_size: int = DEFAULT_BATCH_SIZE,
        stop_after: int | None = None,
        on_result: Callable[[LineResult], None] = lambda result: None,
    ) -> None:
        self._api = api
        self._digest = digest
        self._journal = journal
        self._concurrency = concurrency
        self._batch_size = batch_size
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
        """Every line's result, in file order. Ctrl-C at any point stops it cleanly: batches in
        flight finish, the rest are `NOT_SENT`, `interrupted` is set; a re-run completes it.

        Workers record each result as it happens (not through their futures), so a batch sent
        just before the interruption is still reported."""
        futures: list[Future[None]] = []
        pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="import")
        with ctrl_c_calls(self._interrupt), pool:  # restored only once the workers are done
            for batches in plan(lines, self._digest, self._batch_size):
                if self._stopped.is_set():
                    break
                started = [pool.submit(self._send_planned, batch) for batch in batches]
                wait(started)
                futures += started
        for future in futures:
            future.result()  # a bug in a worker surfaces here instead of vanishing
        ordered = sorted(lines, key=lambda line: line.number)
        return [
            self._results.get(line.number) or LineResult(line, Outcome.NOT_SENT) for line in ordered
        ]

    def _interrupt(self) -> None:
        self.interrupted = True
        self.stop()

    def _send_planned(self, planned: Batch) -> None:
        """The batch as an earlier run left it: first what was kept under its key, then the
        lines that run left out, tried again as a batch of their own."""
        if self._stopped.is_set():
            return
        left_out = self._journal.left_out_of(planned.key)
        kept = planned.without(left_out)
        if not (left_out and kept.lines):
            self._send(planned)
            return
        self._send(kept)
        again = tuple(line for line in planned.lines if line.number in left_out)
        self._send_planned(Batch(batch_key(self._digest, [line.number for line in again]), again))

    def _send(self, batch: Batch) -> None:
        """Until what is left of the batch applies; each refused line reported on the way."""
        while batch.lines:
            try:
                posted = self._api.post(BATCH_PATH, batch.body(), batch.key)
            except ApiError as error:
                index = refused_entry(error)
                if index is None or not 0 <= index < len(batch.lines):
                    self._record_all(batch.lines, Outcome.REJECTED, self._reason(error))
                    return
                refused = batch.lines[index]
                self._record(LineResult(refused, Outcome.REJECTED, error.describe()))
                self._journal.leave_out(batch.key, refused.number)
                batch = batch.without([refused.number])
                continue
            except ApiUnreachable as error:
                self.unreachable = str(error)
                self.stop()  # every other batch would fail the same way, slowly
                outcome = Outcome.SENT_NO_ANSWER if error.sent else Outcome.NOT_SENT
                self._record_all(batch.lines, outcome, str(error))
                return
            outcome = Outcome.REPLAYED if posted.replayed else Outcome.APPLIED
            self._record_all(batch.lines, outcome)
            return
        self._journal.forget(batch.key)  # every line refused: nothing kept under the key

    @staticmethod
    def _reason(error: ApiError) -> str:
        if error.code == "idempotency_key_reused":
            return (
                f"{error.describe()} (an earlier run applied this batch without lines the API "
                "refused then, and this machine has no record of which: see docs/cli.md)"
            )
        return error.describe()

    def _record_all(
        self, lines: Sequence[ImportLine], outcome: Outcome, reason: str | None = None
    ) -> None:
        for line in lines:
            self._record(LineResult(line, outcome, reason))

    def _record(self, result: LineResult) -> None:
        with self._lock:
            self._results[result.line.number] = result
            if self._stop_after is not None and len(self._results) >= self._stop_after:
                self.stop()
        self._on_result(result)
