"""The shell examples of README.md and docs/*.md, and the rule their output is compared by.

An example is a fenced ```sh block holding one command, followed right after by a ```text or
```json block that shows the shape of its output. Words after `sh` are tags: `long-running`
(a server, a build or a test run: minutes, or no end), `needs-docker`, `needs-aws`, `silent`
(no output block), and `exit-N` (the command exits N; otherwise 0).

How an output matches its block (stdout and stderr together, as a terminal shows them; trailing
spaces and blank lines at either end ignored):

- text: line by line. A line that is only `…` stands for any number of lines, none included;
  `…` within a line for any text on that line. A line that is a JSON object or array is
  compared as JSON when the output's line is JSON too (spacing aside).
- json: the output is one JSON document, compared as JSON.
- As JSON: an object has exactly the keys shown, plus any others when it shows `"…": …`; a bare
  `…` value stands for any number, a string holding `…` for any string that fits (`"…Z"`), a
  `…` as the last element of an array for any further elements; every other value is equal.
"""

import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from warehouse_devstack.docs.sections import DOC_FILES
from warehouse_devstack.template import REPO_ROOT

ELLIPSIS = "…"
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
NOT_RUN_TAGS = ("long-running", "needs-docker", "needs-aws")
TAGS = frozenset({*NOT_RUN_TAGS, "silent"})
EXIT_TAG = re.compile(r"^exit-(\d+)$")
OUTPUT_LANGUAGES = frozenset({"text", "json"})
ANY_NUMBER = "\0any number\0"  # what a bare … becomes while the expected JSON is parsed


@dataclass(frozen=True)
class Example:
    path: Path
    line: int
    tags: frozenset[str]
    command: str
    language: str | None
    """Of the block right after it (None: no block right after)."""
    expected: str

    @property
    def exit_status(self) -> int:
        return next((int(m[1]) for tag in self.tags if (m := EXIT_TAG.match(tag))), 0)

    @property
    def unknown_tags(self) -> set[str]:
        return {tag for tag in self.tags if tag not in TAGS and not EXIT_TAG.match(tag)}

    @property
    def not_run_because(self) -> str | None:
        return next((tag for tag in NOT_RUN_TAGS if tag in self.tags), None)

    def name(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line}: {self.command}"


def examples_of(path: Path) -> list[Example]:
    """Every sh block of a Markdown file, in order, with the block right after it."""
    text = path.read_text()
    blocks = list(FENCE.finditer(text))
    found = []
    for block, after in itertools.zip_longest(blocks, blocks[1:]):
        info = block["info"].split()
        if info[:1] != ["sh"]:
            continue
        adjacent = after is not None and not text[block.end() : after.start()].strip()
        language = after["info"].split()[0] if adjacent and after is not None else None
        found.append(
            Example(
                path,
                text.count("\n", 0, block.start()) + 1,
                frozenset(info[1:]),
                block["body"].replace("\\\n", " ").strip(),
                language,
                after["body"] if adjacent and after is not None else "",
            )
        )
    return found


# Matching


def lines_of(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def mismatch(expected: str, actual: str, language: str | None) -> str | None:
    """Why `actual` does not have the shape of `expected`, or None when it does."""
    if language == "json":
        try:
            document = json.loads(actual)
        except ValueError:
            return f"not one JSON document: {actual[:200]!r}"
        return json_mismatch(expected_json(expected), document, "$")
    return text_mismatch(lines_of(expected), lines_of(actual))


def text_mismatch(expected: list[str], actual: list[str]) -> str | None:
    """Line by line, `…` lines standing for any number of lines: `reached[i]` holds every j
    such that expected[:i] matches actual[:j]."""
    reached: list[set[int]] = [{0}]
    for pattern in expected:
        before = reached[-1]
        if pattern.strip() == ELLIPSIS:
            after = set(range(min(before), len(actual) + 1)) if before else set()
        else:
            after = {j + 1 for j in before if j < len(actual) and line_fits(pattern, actual[j])}
        if not after:
            near = actual[min(before)] if before and min(before) < len(actual) else "(no line)"
            return f"expected line {len(reached)} {pattern!r} does not match {near!r}"
        reached.append(after)
    if len(actual) in reached[-1]:
        return None
    return f"output goes on after the expected lines: {actual[max(reached[-1])]!r}"


def line_fits(expected: str, actual: str) -> bool:
    if expected.lstrip()[:1] in {"{", "["}:
        try:
            pattern, document = expected_json(expected), json.loads(actual)
        except ValueError:
            pass
        else:
            return json_mismatch(pattern, document, "$") is None
    return glob(expected).fullmatch(actual) is not None


@cache
def glob(pattern: str) -> re.Pattern[str]:
    """`…` as any text; everything else literal."""
    return re.compile(".*?".join(re.escape(part) for part in pattern.split(ELLIPSIS)), re.DOTALL)


def expected_json(text: str) -> Any:
    """The expected JSON with each bare `…` (outside strings) read as ANY_NUMBER."""
    out, in_string, escaped = [], False, False
    for char in text:
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        elif char == ELLIPSIS:
            out.append(json.dumps(ANY_NUMBER))
            continue
        out.append(char)
    return json.loads("".join(out))


def json_mismatch(expected: Any, actual: Any, where: str) -> str | None:
    if expected == ANY_NUMBER:
        is_number = isinstance(actual, int | float) and not isinstance(actual, bool)
        return None if is_number else f"{where}: a number expected, found {actual!r}"
    if isinstance(expected, str) and ELLIPSIS in expected:
        if isinstance(actual, str) and glob(expected).fullmatch(actual):
            return None
        return f"{where}: a string like {expected!r} expected, found {actual!r}"
    if isinstance(expected, dict):
        return object_mismatch(expected, actual, where)
    if isinstance(expected, list):
        return array_mismatch(expected, actual, where)
    same = expected == actual and type(expected) is type(actual)
    return None if same else f"{where}: {expected!r} expected, found {actual!r}"


def object_mismatch(expected: dict[str, Any], actual: Any, where: str) -> str | None:
    if not isinstance(actual, dict):
        return f"{where}: an object expected, found {actual!r}"
    open_ended = expected.get(ELLIPSIS) == ANY_NUMBER
    shown = {key: value for key, value in expected.items() if key != ELLIPSIS}
    missing = sorted(set(shown) - set(actual))
    extra = [] if open_ended else sorted(set(actual) - set(shown))
    if missing or extra:
        return f"{where}: keys missing {missing}, keys not shown {extra}"
    return next(
        (
            found
            for key, value in shown.items()
            if (found := json_mismatch(value, actual[key], f"{where}.{key}"))
        ),
        None,
    )


def array_mismatch(expected: list[Any], actual: Any, where: str) -> str | None:
    if not isinstance(actual, list):
        return f"{where}: an array expected, found {actual!r}"
    open_ended = bool(expected) and expected[-1] == ANY_NUMBER
    shown = expected[:-1] if open_ended else expected
    if len(actual) < len(shown) or (not open_ended and len(actual) != len(shown)):
        count = f"{len(shown)}{'+' if open_ended else ''}"
        return f"{where}: {count} elements expected, found {len(actual)}"
    return next(
        (
            found
            for index, value in enumerate(shown)
            if (found := json_mismatch(value, actual[index], f"{where}[{index}]"))
        ),
        None,
    )


def not_run_examples() -> list[str]:
    """The examples the runner leaves out (Docker, AWS, minutes), by file, line and reason."""
    return [
        f"{example.name(REPO_ROOT)}  ({example.not_run_because})"
        for path in DOC_FILES
        for example in examples_of(path)
        if example.not_run_because
    ]
