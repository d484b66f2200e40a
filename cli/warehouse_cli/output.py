"""Where results go: rich tables for people, one JSON document on stdout for scripts.

Errors, warnings and progress go to stderr, so `--json` output can be piped as it is.
"""

import json
from dataclasses import dataclass
from typing import Any, TextIO

from rich.console import Console, RenderableType
from rich.markup import escape


@dataclass(frozen=True)
class Output:
    stdout: TextIO
    out: Console
    err: Console

    @classmethod
    def of(cls, stdout: TextIO, stderr: TextIO, width: int | None = None) -> "Output":
        return cls(
            stdout,
            Console(file=stdout, width=width, highlight=False),
            Console(file=stderr, width=width, highlight=False),
        )

    def json(self, document: Any) -> None:
        """The whole result as one JSON document (not rich's: no colours, no wrapping)."""
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        self.stdout.flush()

    def show(self, renderable: RenderableType) -> None:
        self.out.print(renderable)

    def error(self, message: str) -> None:
        """One line however long: logs and scripts grep it (no wrapping at the width)."""
        self.err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)

    def note(self, message: str) -> None:
        self.err.print(escape(message), soft_wrap=True)
