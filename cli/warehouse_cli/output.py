"""Where results go: rich tables for people, the API's JSON or CSV rows on stdout for scripts.

Errors, warnings and progress go to stderr, so `--json` and `--csv` output can be piped as it is.
"""

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TextIO

from rich.console import Console, RenderableType
from rich.markup import escape


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True)
class Rows:
    """What `--csv` prints: a header line of `columns`, then one line per item. Fields the API
    added that `columns` does not name follow them, so nothing it sends is lost."""

    columns: Sequence[str]
    items: Sequence[Mapping[str, Any]]

    def header(self) -> list[str]:
        extra = [key for item in self.items for key in item if key not in self.columns]
        return [*self.columns, *dict.fromkeys(extra)]


def csv_value(value: object) -> str:
    """null is an empty field; booleans and nested values as JSON spells them."""
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class Output:
    stdout: TextIO
    out: Console
    err: Console
    format: Format = Format.TABLE

    @classmethod
    def of(
        cls, stdout: TextIO, stderr: TextIO, width: int | None = None, format: Format = Format.TABLE
    ) -> "Output":
        return cls(
            stdout,
            Console(file=stdout, width=width, highlight=False),
            Console(file=stderr, width=width, highlight=False),
            format,
        )

    def result(self, document: Any, rows: Rows, table: Callable[[], RenderableType]) -> None:
        """A command's result in the chosen format."""
        if self.format is Format.JSON:
            self.json(document)
        elif self.format is Format.CSV:
            self.csv(rows)
        else:
            self.show(table())

    def json(self, document: Any) -> None:
        """The whole result as one JSON document (not rich's: no colours, no wrapping)."""
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        self.stdout.flush()

    def csv(self, rows: Rows) -> None:
        header = rows.header()
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([csv_value(item.get(name)) for name in header] for item in rows.items)
        self.stdout.flush()

    def show(self, renderable: RenderableType) -> None:
        self.out.print(renderable)

    def error(self, message: str) -> None:
        """One line however long: logs and scripts grep it (no wrapping at the width)."""
        self.err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)

    def note(self, message: str) -> None:
        self.err.print(escape(message), soft_wrap=True)
