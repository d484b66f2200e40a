"""Finding and rewriting the generated sections of the documentation files."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from warehouse_devstack.template import REPO_ROOT

DOC_FILES = (REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md")))
SECTION = re.compile(
    r"(?P<open><!-- generated:(?P<name>[a-z0-9-]+) -->\n)"
    r"(?P<body>.*?)"
    r"(?P<close><!-- /generated:(?P=name) -->)",
    re.DOTALL,
)
Writer = Callable[[], str]


class UnknownSection(LookupError):
    """A marker names a section no writer produces."""


@dataclass(frozen=True)
class Rewrite:
    path: Path
    current: str
    fresh: str

    @property
    def stale(self) -> bool:
        return self.current != self.fresh


def section_names(text: str) -> list[str]:
    return [match["name"] for match in SECTION.finditer(text)]


def rewrite(text: str, writers: Mapping[str, Writer], cache: dict[str, str]) -> str:
    """`text` with every generated section's body replaced by its writer's output (each writer
    runs once per `cache`)."""

    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in writers:
            raise UnknownSection(f"no writer for <!-- generated:{name} -->")
        if name not in cache:
            cache[name] = writers[name]().rstrip("\n") + "\n"
        return f"{match['open']}{cache[name]}{match['close']}"

    return SECTION.sub(fill, text)


def rewrites(writers: Mapping[str, Writer], files: tuple[Path, ...] = DOC_FILES) -> list[Rewrite]:
    cache: dict[str, str] = {}
    found = []
    for path in files:
        current = path.read_text()
        found.append(Rewrite(path, current, rewrite(current, writers, cache)))
    return found
