"""Sections written by running the code they describe: the local stack's banner and options,
the CLI's help, exit codes and retry policy, and what each test module proves."""

import argparse
import ast
import contextlib
import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from warehouse_devstack.docs.markdown import code, fenced, table
from warehouse_devstack.template import REPO_ROOT, load_template

HELP_COLUMNS = "100"
EXAMPLE_TOKEN = "wh_example-local-admin-not-a-real-token"  # noqa: S105  (events/authorizer.json's token)
TESTS = REPO_ROOT / "tests"
SUITE_ORDER = ("unit", "integration/moto", "integration/dynamodb_local", "e2e", "sam_local")
ELIDED_HEADINGS = ("  Routes", "  Event sources")
EXIT_CODE = re.compile(r"^(?P<name>[A-Z_]+) = (?P<value>\d+)(?:\s*#\s*(?P<meaning>.+))?$")
PORT_VARIABLES = ("PORT", "DYNAMODB_PORT", "SQS_PORT")


@contextlib.contextmanager
def help_environment() -> Iterator[None]:
    """Help text as a fresh shell prints it: fixed width, no port overrides."""
    saved = {name: os.environ.get(name) for name in ("COLUMNS", *PORT_VARIABLES)}
    os.environ["COLUMNS"] = HELP_COLUMNS
    for name in PORT_VARIABLES:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def printed_help(parse: Callable[[Sequence[str]], Any], argv: Sequence[str]) -> str:
    """What `parse(argv)` prints before argparse exits (its --help)."""
    out = io.StringIO()
    with help_environment(), contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        parse(argv)
    return out.getvalue()


def banner_section() -> str:
    """The banner `make run` prints with its default ports and WAREHOUSE_ADMIN_TOKEN set to the
    sample events' token; the route and event source lines (one per template entry) elided."""
    from warehouse_devstack.__main__ import banner

    template = load_template()
    queues = [name for name in template.resources_of_type("AWS::SQS::Queue")]
    running = SimpleNamespace(
        api_url="http://127.0.0.1:3000",
        dynamodb=SimpleNamespace(url="http://127.0.0.1:8000", engine="dynamodb-local"),
        gateway=SimpleNamespace(routes=[]),
        persist_dir=None,
        admin_token=EXAMPLE_TOKEN,
        sqs_url="http://127.0.0.1:9324",
        sqs_also_on=(),
        queue_urls={name: name for name in queues},
        pollers=[],
    )
    lines = []
    for line in banner(cast(Any, running)).strip("\n").splitlines():
        lines.append(line)
        if line in ELIDED_HEADINGS:
            lines.append("    …")
    return fenced("\n".join(lines))


def run_options_section() -> str:
    from warehouse_devstack.__main__ import parse_args

    return fenced(printed_help(parse_args, ["--help"]))


def command_paths(parser: argparse.ArgumentParser) -> Iterator[list[str]]:
    """Every command and action of a parser, depth first: [], [items], [items, get], ..."""
    yield []
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                for path in command_paths(child):
                    yield [name, *path]


def cli_help_section() -> str:
    from warehouse_cli.app import build_parser

    parser = build_parser()
    return fenced(
        "\n".join(
            f"$ warehouse {' '.join([*path, '--help'])}\n"
            + printed_help(parser.parse_args, [*path, "--help"])
            for path in command_paths(parser)
        )
    )


def exit_codes_section() -> str:
    from warehouse_cli import exit_codes

    source = Path(exit_codes.__file__).read_text().splitlines()
    rows = [
        [match["value"], code(match["name"]), match["meaning"] or "done"]
        for line in source
        if (match := EXIT_CODE.match(line))
    ]
    return table(["exit code", "name", "meaning"], rows)


def retry_policy_section() -> str:
    from warehouse_cli.retry import ALWAYS_RETRIED, RETRIED_WHEN_IDEMPOTENT, RetryPolicy

    policy = RetryPolicy()
    statuses = ", ".join(map(str, sorted(ALWAYS_RETRIED)))
    uncertain = ", ".join(map(str, sorted(RETRIED_WHEN_IDEMPOTENT)))
    return (
        f"- At most {policy.attempts} attempts per request (the first and {policy.attempts - 1} "
        f"retries) on {statuses} and on lost connections; on {uncertain}, a read timeout or "
        "`409 request_in_progress` only when repeating the request is safe (a GET, or a movement "
        "with an Idempotency-Key).\n"
        f"- Backoff from {policy.base_delay:g} s, doubling, at most {policy.max_delay:g} s, with "
        "equal jitter (half fixed, half random); never shorter than the answer's `Retry-After`, "
        f"which counts up to {policy.max_retry_after:g} s.\n"
        f"- After `request_in_progress`, at least {policy.in_progress_wait:g} s."
    )


def summary(docstring: str) -> str:
    """A docstring's first paragraph on one line."""
    return " ".join(docstring.split("\n\n", 1)[0].split())


def suites() -> list[Path]:
    found = {path.parent for path in TESTS.rglob("test_*.py")}
    ordered = [TESTS / name for name in SUITE_ORDER if TESTS / name in found]
    return ordered + sorted(found - set(ordered))


def test_modules_section() -> str:
    parts = []
    for suite in suites():
        rows = []
        for module in sorted(suite.glob("test_*.py")):
            docstring = ast.get_docstring(ast.parse(module.read_text())) or ""
            tests = len(re.findall(r"^(?:async )?def test_", module.read_text(), re.MULTILINE))
            rows.append([code(module.name), str(tests), summary(docstring)])
        relative = suite.relative_to(REPO_ROOT).as_posix()
        parts.append(
            f"**`{relative}/`**\n\n" + table(["module", "test functions", "what it proves"], rows)
        )
    return "\n\n".join(parts)


WRITERS: dict[str, Callable[[], str]] = {
    "banner": banner_section,
    "run-options": run_options_section,
    "cli-help": cli_help_section,
    "cli-exit-codes": exit_codes_section,
    "cli-retries": retry_policy_section,
    "test-modules": test_modules_section,
}
