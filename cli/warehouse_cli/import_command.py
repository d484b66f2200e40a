"""`warehouse import FILE.csv`: check every line, then send them all, each exactly once.

Nothing is sent unless the whole file is valid. Each line carries an Idempotency-Key made of
the file's content hash and its line number, so re-running the same file after any
interruption applies the missing lines and only replays the others.
"""

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
from warehouse_cli.idempotency import file_digest
from warehouse_cli.import_file import ImportLine, Problem, parse_import
from warehouse_cli.importer import Importer, LineResult, Outcome
from warehouse_cli.output import Output
from warehouse_cli.progress import import_progress
from warehouse_cli.tables import plural


@dataclass(frozen=True)
class ImportOptions:
    path: Path
    concurrency: int = 8
    stop_after: int | None = None
    salt: str = ""
    as_json: bool = False


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
    def lines_per_second(self) -> float:
        sent = len(self.results) - self.count(Outcome.NOT_SENT)
        return sent / self.seconds if self.seconds > 0 else 0.0

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
            "lines": len(self.results),
            "applied": counts[Outcome.APPLIED],
            "replayed": counts[Outcome.REPLAYED],
            "rejected": [
                {"line": result.line.number, "reason": result.reason} for result in self.rejected
            ],
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
    summary = send_all(api, output, lines, file_digest(content, options.salt), options)
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
    api: ApiClient, output: Output, lines: list[ImportLine], digest: str, options: ImportOptions
) -> Summary:
    """The import with its progress bar (stderr), timed for the lines/s in the summary."""
    started = time.monotonic()
    with import_progress(output.err) as progress:
        task = progress.add_task(f"Importing {options.path.name}", total=len(lines))
        importer = Importer(
            api,
            digest,
            concurrency=options.concurrency,
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
    if summary.count(Outcome.NOT_SENT):
        output.note(
            "Stopped early. Run the same command again to finish: lines already applied are "
            "replayed by the API (same Idempotency-Key), never applied twice."
        )


def summary_view(path: Path, summary: Summary) -> Group:
    """One line saying how long it took, then the count of each outcome."""
    title = Text(
        f"Import of {path.name}: {plural(len(summary.results), 'line')} in {summary.seconds:.1f} s "
        f"({summary.lines_per_second:,.1f} lines/s)",
        style="bold",
    )
    table = Table.grid(padding=(0, 2))
    table.add_column()
    table.add_column(justify="right")
    for outcome in Outcome:
        table.add_row(f"  {outcome.value.replace('_', ' ')}", f"{summary.count(outcome):,}")
    return Group(title, table)
