"""README.md and docs/ cannot drift from the code: every generated section is what `make docs`
writes, the README's lists match the Makefile and the tree, cited paths exist, no link leaves the
repository, shell examples keep their runnable form, and the numbers the prose states are the
code's."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from bench import report
from tests.support.doc_examples import FENCE, OUTPUT_LANGUAGES, Example, examples_of
from warehouse_devstack.__main__ import parse_args
from warehouse_devstack.docs.__main__ import WRITERS
from warehouse_devstack.docs.from_code import banner_section
from warehouse_devstack.docs.from_openapi import error_codes
from warehouse_devstack.docs.sections import (
    DOC_FILES,
    UnknownSection,
    rewrite,
    rewrites,
    section_names,
)
from warehouse_devstack.template import REPO_ROOT

README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
LAYER = REPO_ROOT / "layers" / "shared" / "warehouse_inventory"
README_MAX_LINES = 200
# The repository's top-level entries a cited path may start with.
TOP_LEVEL = re.compile(
    r"^(template\.yaml|samconfig\.toml|openapi\.json|Makefile|\.ci|functions|events|layers|"
    r"devstack|ops|cli|tests|bench|docs)(/|$)"
)
OUTSIDE = [
    (re.compile(r"\]\(\.\./|`\.\./|\.\./shared"), "a path above the repository"),
    (re.compile(r"CONTRACT\.md|ARCHITECTURE\.md|STYLE\.md"), "a document outside the repository"),
    (re.compile(r"/work/|\bprinciple \d", re.IGNORECASE), "a reference outside the repository"),
]
HISTORY = re.compile(
    r"\b(used to|no longer|previously|formerly|changelog|was (?:changed|replaced|removed|added)"
    r"|now (?:uses|runs|is|are|has|returns)|(?<!aws-sam-cli )issue \d+|before/after)\b",
    re.IGNORECASE,
)


def doc_texts() -> list[tuple[Path, str]]:
    return [(path, path.read_text()) for path in DOC_FILES]


def relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def section(text: str, heading: str) -> str:
    """The text under `## heading`, up to the next `## `."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section '## {heading}'"
    return match[1]


# Generated sections


def test_every_generated_section_is_what_make_docs_writes() -> None:
    stale = [relative(r.path) for r in rewrites(WRITERS) if r.stale]
    assert not stale, f"stale generated sections in {stale}: run `make docs`"


def test_every_writer_is_used_and_every_marker_has_a_writer() -> None:
    used = {name for _, text in doc_texts() for name in section_names(text)}
    assert used == set(WRITERS)


def test_a_stale_section_is_rewritten_and_the_prose_around_it_kept() -> None:
    text = "before\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nafter\n"
    fresh = rewrite(text, {"x": lambda: "new"}, {})
    assert fresh == "before\n<!-- generated:x -->\nnew\n<!-- /generated:x -->\nafter\n"
    assert rewrite(fresh, {"x": lambda: "new"}, {}) == fresh


def test_a_marker_without_a_writer_is_refused() -> None:
    with pytest.raises(UnknownSection):
        rewrite("<!-- generated:nope -->\n<!-- /generated:nope -->", {}, {})


# README


def test_the_readme_is_a_front_door() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"


def test_the_readme_starts_with_the_two_commands() -> None:
    blocks = [m for m in FENCE.finditer(README.read_text()) if m["info"].startswith("sh")]
    assert [m["body"].strip() for m in blocks[:2]] == ["make run", "make test"]


def makefile_targets() -> set[str]:
    """Every target the Makefile defines by name (files such as .venv/bin/.installed aside)."""
    text = (REPO_ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z0-9-]*):(?!=)", text, re.MULTILINE))


def readme_targets() -> set[str]:
    table = section(README.read_text(), "Make targets")
    cells = re.findall(r"^\| (.+?) \|", table, re.MULTILINE)
    return {target for cell in cells for target in re.findall(r"`make ([a-z0-9-]+)`", cell)}


def test_the_readme_lists_exactly_the_makefile_s_targets() -> None:
    listed, defined = readme_targets(), makefile_targets()
    assert listed == defined, (
        f"missing from README.md: {sorted(defined - listed)}; not in the Makefile: "
        f"{sorted(listed - defined)}"
    )


def layout_paths() -> list[str]:
    """The paths of the README's layout tree: an entry's indentation (two spaces a level) puts
    it inside the folder above it; a name ending in / is a folder."""
    (block,) = [m["body"] for m in FENCE.finditer(section(README.read_text(), "Layout"))]
    parents: list[str] = []
    paths = []
    for line in block.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        parents = parents[:depth]
        path = "".join(parents) + name
        paths.append(path)
        if name.endswith("/"):
            parents.append(name)
    return paths


def test_every_path_of_the_layout_tree_exists() -> None:
    missing = [path for path in layout_paths() if not (REPO_ROOT / path).exists()]
    wrong_kind = [
        path
        for path in layout_paths()
        if (REPO_ROOT / path).exists() and (REPO_ROOT / path).is_dir() != path.endswith("/")
    ]
    assert not missing, f"the README's layout names paths that do not exist: {missing}"
    assert not wrong_kind, f"folders without / or files with /: {wrong_kind}"


def test_the_readme_s_curl_example_is_the_one_the_banner_prints() -> None:
    (example,) = [
        m["body"].strip()
        for m in FENCE.finditer(section(README.read_text(), "Try it"))
        if m["info"] == "sh"
    ]
    banner_lines = [line.strip() for line in banner_section().splitlines()]
    assert example in banner_lines


# Paths, links and references


def cited_paths(text: str) -> set[str]:
    """Repository paths in inline code or link targets, placeholders (<name>, *, …) aside."""
    candidates = re.findall(r"`([^`\s]+)`", text) + re.findall(r"\]\(([^)\s#]+)", text)
    return {
        candidate.rstrip(".,:;")
        for candidate in candidates
        if TOP_LEVEL.match(candidate) and not re.search(r"[<>*…$]", candidate)
    }


@pytest.mark.parametrize("path", DOC_FILES, ids=relative)
def test_every_cited_path_exists(path: Path) -> None:
    missing = sorted(p for p in cited_paths(path.read_text()) if not (REPO_ROOT / p).exists())
    assert not missing, f"{relative(path)} cites paths that do not exist: {missing}"


@pytest.mark.parametrize("path", DOC_FILES, ids=relative)
def test_relative_links_resolve_inside_the_repository(path: Path) -> None:
    targets = re.findall(r"\]\(([^)\s#]+)", path.read_text())
    local = [t for t in targets if "://" not in t and not t.startswith("mailto:")]
    for target in local:
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(REPO_ROOT), target
        assert resolved.exists(), f"{relative(path)} links to {target}, which does not exist"


@pytest.mark.parametrize("path", DOC_FILES, ids=relative)
def test_no_reference_outside_the_repository(path: Path) -> None:
    text = path.read_text()
    found = [(why, m[0]) for pattern, why in OUTSIDE for m in pattern.finditer(text)]
    assert not found, f"{relative(path)}: {found}"


@pytest.mark.parametrize("path", DOC_FILES, ids=relative)
def test_no_prose_tells_history(path: Path) -> None:
    found = [m[0] for m in HISTORY.finditer(path.read_text())]
    assert not found, f"{relative(path)} tells history: {found}"


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    suffixes = {".py", ".md", ".yaml", ".toml", ".json", ".txt", ".sh", ""}
    return [
        REPO_ROOT / name
        for name in listed
        if name and Path(name).suffix in suffixes and (REPO_ROOT / name).is_file()
    ]


def test_every_docs_page_the_repository_names_exists() -> None:
    """Code comments, the Makefile and the template point readers at docs/ pages too."""
    missing = {
        (relative(path), page)
        for path in tracked_text_files()
        for page in re.findall(r"\bdocs/[a-z0-9-]+\.md\b", path.read_text(errors="replace"))
        if not (REPO_ROOT / page).exists()
    }
    assert not missing, sorted(missing)


# Shell examples


def shell_examples() -> list[Example]:
    return [example for path in DOC_FILES for example in examples_of(path)]


@pytest.mark.parametrize(
    "example", shell_examples(), ids=lambda e: f"{relative(e.path)}:{e.command[:40]}"
)
def test_a_shell_example_is_one_command_with_its_output_shape_after_it(example: Example) -> None:
    assert not example.unknown_tags, f"unknown tags {example.unknown_tags}"
    assert len(example.command.splitlines()) == 1, f"one command per block: {example.command}"
    assert not example.command.lstrip().startswith("#")
    if "silent" not in example.tags:
        assert example.language in OUTPUT_LANGUAGES, "the output's shape belongs right after it"


# Numbers and names the prose states


def test_the_api_reference_explains_exactly_the_document_s_error_codes() -> None:
    table = section((DOCS / "api.md").read_text(), "Errors").split("What each code means", 1)[1]
    explained = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE))
    assert explained == error_codes()


def test_the_local_stack_s_documented_default_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("PORT", "DYNAMODB_PORT", "SQS_PORT"):
        monkeypatch.delenv(variable, raising=False)
    text = " ".join((DOCS / "local-stack.md").read_text().split())
    match = re.search(
        r"default to (\d+) for the API, (\d+) for DynamoDB Local and (\d+) for SQS", text
    )
    assert match, "the ports sentence of docs/local-stack.md"
    args = parse_args([])
    assert (args.port, args.dynamodb_port, args.sqs_port) == tuple(map(int, match.groups()))


def emitted_metric_names() -> set[str]:
    source = "\n".join(path.read_text() for path in LAYER.rglob("*.py"))
    return set(re.findall(r'(?:add_metric|single_metric)\(\s*name="([A-Za-z]+)"', source))


def test_the_runbook_names_every_business_metric_the_code_emits() -> None:
    text = " ".join(
        section((DOCS / "operations.md").read_text(), "Metrics, alarms and the dashboard").split()
    )
    listed = re.search(r"with the dimension `service=warehouse`: (.*?)\. The dashboard", text)
    assert listed, "the metrics sentence of docs/operations.md"
    assert set(re.findall(r"`([A-Z][A-Za-z]+)`", listed[1])) == emitted_metric_names()


def test_the_performance_targets_are_the_benchmark_s() -> None:
    text = " ".join((DOCS / "performance.md").read_text().split())
    ratio = re.search(r"at most ([\d.]+) times the bare boto3 handler", text)
    overhead = re.search(
        r"at most (\d+) µs above the minimal handler for `GET /inventory/\{sku\}` and "
        r"(\d+) µs for a restock",
        text,
    )
    assert ratio and overhead
    assert float(ratio[1]) == report.COLD_START_RATIO
    assert float(overhead[1]) == report.WARM_GET_OVERHEAD_US
    assert float(overhead[2]) == report.WARM_RESTOCK_OVERHEAD_US
    assert set(report.WARM_OVERHEAD_US.values()) == {
        report.WARM_GET_OVERHEAD_US,
        report.WARM_RESTOCK_OVERHEAD_US,
    }


def test_the_benchmark_results_are_a_make_bench_run() -> None:
    """The committed results render with the benchmark's own report code."""
    results = json.loads((DOCS / "bench-results.json").read_text())
    assert report.render(results).startswith("Warehouse API benchmark, ")
    assert results["targets"], "a run states its targets"
