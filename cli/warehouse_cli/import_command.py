"""`warehouse import FILE.csv`: check every line, then send them all in batches, each exactly once.

Nothing is sent unless the whole file is valid. Each batch carries an Idempotency-Key made of
the file's content hash and its lines, so re-running the same file after any interruption
applies the missing lines and only replays the others.
"""

import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from warehouse_cli import exit_codes
from warehouse_cli.api import ApiClient
from warehouse_cli.batches import DEFAULT_BATCH_SIZE
from warehouse_cli.idempotency import file_digest
from warehouse_cli.import_file import ImportLine, Problem, parse_import
from warehouse_cli.import_journal import BatchSizeChanged, Journal, import_identity, state_dir
from warehouse_cli.importer import DEFAULT_CONCURRENCY, Importer, LineResult, Outcome
from warehouse_cli.output import Output
from warehouse_cli.progress import import_progress
from warehouse_cli.tables import plural


@dataclass(frozen=True)
class ImportOptions:
    path: Path
    concurrency: int = DEFAULT_CONCURRENCY
    stop_after: int | None = None
    salt: str = ""
    as_json: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE


@dataclass(frozen=True)
class Summary:
    results: list[LineResult]
    seconds: float
    unreachable: str | None = None
    interrupted: bool = False

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)

    @property
    def rejected(self) -> list[LineResult]:
        return [result for result in self.results if result.outcome is Outcome.REJECTED]

    @property
    def processed(self) -> int:
        """The lines this run sent: all but those it never got to."""
        return len(self.results) - self.count(Outcome.NOT_SENT)

    @property
    def lines_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0

    def exit_code(self) -> int:
        if self.unreachable:
            return exit_codes.UNREACHABLE
        if self.interrupted or self.count(Outcome.NOT_SENT):
            return exit_codes.INTERRUPTED
        return exit_codes.API_ERROR if self.rejected else exit_codes.OK

    def document(self, path: Path) -> dict[str, Any]:
        """The `--json` form."""
        counts = Counter(result.outcome for result in self.results)
        return {
            "file": str(path),
            "lines": self.processed,
            "file_lines": len(self.results),
            "applied": counts[Outcome.APPLIED],
            "replayed": counts[Outcome.REPLAYED],
            "rejected": [
                {"line": result.line.number, "reason": result.reason} for result in self.rejected
            ],
            "sent_no_answer": counts[Outcome.SENT_NO_ANSWER],
            "not_sent": counts[Outcome.NOT_SENT],
            "seconds": round(self.seconds, 3),
            "lines_per_second": round(self.lines_per_second, 1),
            "unreachable": self.unreachable,
        }


def run_import(api: ApiClient, output: Output, options: ImportOptions) -> int:
    """Validate the whole file, then send it; the exit code says how it went."""
    try:
        content = options.path.read_bytes()
    except OSError as error:
        output.error(f"cannot read {options.path}: {error.strerror or error}")
        return exit_codes.USAGE
    lines, problems = decode_and_parse(content)
    if problems:
        report_problems(output, options, problems)
        return exit_codes.USAGE
    digest = file_digest(content, options.salt)
    identity = import_identity(api.identity, digest)
    try:
        journal = Journal.open(state_dir(os.environ), identity, options.batch_size)
    except BatchSizeChanged as error:
        output.error(f"{error}; nothing was sent")
        return exit_codes.USAGE
    if journal.problem:
        output.note(f"warning: {journal.problem}; a re-run may have to report refused batches")
    summary = send_all(api, output, lines, digest, journal, options)
    report_summary(output, options, summary)
    return summary.exit_code()


def decode_and_parse(content: bytes) -> tuple[list[ImportLine], list[Problem]]:
    """UTF-8 (a BOM is fine); an undecodable byte is a problem on its own line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        return [], [Problem(line, f"not UTF-8 (byte {content[error.start]:#04x})")]
    parsed = parse_import(text)
    return parsed.lines, parsed.problems


def send_all(
    api: ApiClient,
    output: Output,
    lines: list[ImportLine],
    digest: str,
    journal: Journal,
    options: ImportOptions,
) -> Summary:
    """The import with its progress bar (stderr), timed for the lines/s in the summary."""
    started = time.monotonic()
    with import_progress(output.err) as progress:
        task = progress.add_task(f"Importing {options.path.name}", total=len(lines))
        importer = Importer(
            api,
            digest,
            journal,
            concurrency=options.concurrency,
            batch_size=options.batch_size,
            stop_after=options.stop_after,
            on_result=lambda _: progress.advance(task),
        )
        results = importer.run(lines)
    seconds = time.monotonic() - started
    return Summary(results, seconds, importer.unreachable, importer.interrupted)


def report_problems(output: Output, options: ImportOptions, problems: list[Problem]) -> None:
    if options.as_json:
        invalid = [{"line": problem.line, "message": problem.message} for problem in problems]
        output.json({"file": str(options.path), "sent": 0, "invalid": invalid})
    else:
        for problem in problems:
            output.note(f"{options.path}:{problem.line}: {problem.message}")
    output.error(f"{len(problems)} invalid line(s) in {options.path}; nothing was sent")


def report_summary(output: Output, options: ImportOptions, summary: Summary) -> None:
    if options.as_json:
        output.json(summary.document(options.path))
    else:
        output.show(summary_view(options.path, summary))
        if summary.rejected:
            output.show("Rejected lines:")
        for result in summary.rejected:
            output.show(f"  line {result.line.number}: {escape(result.reason or '')}")
    if summary.unreachable:
        output.error(f"the API stopped answering: {summary.unreachable}")
    if summary.count(Outcome.SENT_NO_ANSWER):
        output.note(
            "Lines sent without an answer may have applied. Run the same command again to "
            "settle them: the API replays what it applied (same Idempotency-Key) and applies "
            "the rest, never twice."
        )
    if summary.count(Outcome.NOT_SENT):
        output.note(
            "Stopped early. Run the same command again to finish: lines already applied are "
            "replayed by the API (same Idempotency-Key), never applied twice."
        )


def summary_view(path: Path, summary: Summary) -> Group:
    """One line saying how many lines it processed and how fast, then the count of each outcome
    (the lines it never got to as "not sent")."""
    lines = plural(summary.processed, "line")
    if summary.processed < len(summary.results):
        lines = f"{summary.processed:,} of {plural(len(summary.results), 'line')}"
    title = Text(
        f"Import of {path.name}: {lines} in {summary.seconds:.1f} s "
        f"({summary.lines_per_second:,.1f} lines/s)",
        style="bold",
    )
    table = Table.grid(padding=(0, 2))
    table.add_column()
    table.add_column(justify="right")
    for outcome in Outcome:
        table.add_row(f"  {OUTCOME_LABELS[outcome]}", f"{summary.count(outcome):,}")
    return Group(title, table)


OUTCOME_LABELS = {
    Outcome.APPLIED: "applied",
    Outcome.REPLAYED: "replayed",
    Outcome.REJECTED: "rejected",
    Outcome.SENT_NO_ANSWER: "sent, no answer",
    Outcome.NOT_SENT: "not sent",
}
