"""Markdown building blocks shared by the section writers."""

from collections.abc import Iterable, Sequence

# The docs' typography, escaped so the source stays ASCII.
DASH = "\u2013"  # a cell with no value; a range of lengths ("3\u201320 characters")
MINUS = "\u2212"
TIMES = "\u00d7"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A pipe table; cells must not contain newlines, pipes are escaped."""
    lines = [_row(header), _row(["---"] * len(header))]
    lines += [_row(row) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"


def code(text: str) -> str:
    """Inline code, with a longer fence when the text holds backticks."""
    fence = "``" if "`" in text else "`"
    padding = " " if "`" in text else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def fenced(text: str, language: str = "text") -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def number(value: float) -> str:
    """1000000 -> 1,000,000; 2**53 - 1 -> 2^53 - 1 with a minus sign (how the docs write it)."""
    if value == 2**53 - 1:
        return f"2^53 {MINUS} 1"
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def duration(seconds: int) -> str:
    """180 -> 3 min; 1209600 -> 14 days; 30 -> 30 s."""
    for unit, size in (("days", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {'day' if unit == 'days' and count == 1 else unit}"
    return f"{seconds} s"
