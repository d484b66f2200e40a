"""Every shell example of README.md and docs/ runs as shown: per file, a fresh local stack
started with the documented admin token, then each example in document order (state carries
from one to the next, as for a reader), its exit status and output compared with the block
after it by the rule of tests/support/doc_examples.py. Examples that need Docker, AWS or
minutes are listed as not run in the session's summary."""

import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.doc_examples import Example, examples_of, mismatch
from tests.support.local_stack import StackProcess, start_stack, stop_stack
from warehouse_devstack.docs.from_code import EXAMPLE_TOKEN
from warehouse_devstack.docs.sections import DOC_FILES
from warehouse_devstack.template import REPO_ROOT

DOCUMENTED_URL = "http://127.0.0.1:3000"
DOCUMENTED_DYNAMODB_URL = "http://127.0.0.1:8000"
DOCUMENTED_SQS_URL = "http://127.0.0.1:9324"
COMMAND_TIMEOUT_SECONDS = 300
READ_RETRY_SECONDS = 30
"""A read shows what the stream feeds (the audit trail, the reports) seconds after the write;
a reader running the commands by hand never sees the gap, so a read is tried again until it
matches, for this long."""
COLUMNS = "100"
READ_COMMANDS = {
    ("stock",),
    ("movements",),
    ("report",),
    ("whoami",),
    ("items", "get"),
    ("items", "list"),
    ("tokens", "list"),
}
WRITE_OPTIONS = {"-X", "--request", "-d", "--data", "--data-raw", "--data-binary", "--json"}
OUTSIDE_ENVIRONMENT = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")
STATE_FILE = "running.json"
"""Where a stack the tests start publishes its endpoints, in its log folder, named by
WAREHOUSE_DEVSTACK_STATE: the make targets that talk to the running stack find it there."""
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
FILES = [path for path in DOC_FILES if any(not e.not_run_because for e in examples_of(path))]


def is_read(command: str) -> bool:
    """A curl without a method or body, or a `warehouse` command that only reads."""
    words = shlex.split(command)
    if words[0] == "curl":
        return not WRITE_OPTIONS.intersection(words)
    if Path(words[0]).name == "warehouse":
        positional = tuple(word for word in words[1:] if not word.startswith("-"))
        return positional[:1] in READ_COMMANDS or positional[:2] in READ_COMMANDS
    return False


def environment(stack: StackProcess, logs: Path) -> dict[str, str]:
    """A reader's shell: the token exported as the docs say, the local stack's ports (on
    free ports here, so the documented URL is rewritten to the stack's), no make of ours."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in OUTSIDE_ENVIRONMENT + PROXIES
    }
    port = stack.base_url.rsplit(":", 1)[1]
    return inherited | {
        "TOKEN": EXAMPLE_TOKEN,
        "WAREHOUSE_TOKEN": EXAMPLE_TOKEN,
        "WAREHOUSE_URL": stack.base_url,
        "PORT": port,
        "DYNAMODB_PORT": str(stack.dynamodb_port),
        "SQS_PORT": str(stack.sqs_port),
        "COLUMNS": COLUMNS,
        "WAREHOUSE_DEVSTACK_STATE": str(logs / STATE_FILE),
    }


def verdict(example: Example, status: int, output: str, expected: str) -> str | None:
    if example.unknown_tags:
        return f"unknown tags {sorted(example.unknown_tags)}"
    if status != example.exit_status:
        return f"exit status {status}, documented {example.exit_status}"
    if "silent" in example.tags:
        return None
    if example.language is None:
        return "no output block right after the command"
    return mismatch(expected, output, example.language)


def on_this_stack(text: str, stack: StackProcess) -> str:
    """The documented URLs of the API, DynamoDB Local and SQS as this stack's (free ports)."""
    return (
        text.replace(DOCUMENTED_URL, stack.base_url)
        .replace(DOCUMENTED_DYNAMODB_URL, f"http://127.0.0.1:{stack.dynamodb_port}")
        .replace(DOCUMENTED_SQS_URL, f"http://127.0.0.1:{stack.sqs_port}")
    )


def run_example(stack: StackProcess, logs: Path, example: Example) -> str | None:
    """None if the example runs as shown, else what differs and the output it gave."""
    command, expected = (on_this_stack(text, stack) for text in (example.command, example.expected))
    deadline = time.monotonic() + (READ_RETRY_SECONDS if is_read(command) else 0)
    while True:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=REPO_ROOT,
            env=environment(stack, logs),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
        why = verdict(example, done.returncode, done.stdout, expected)
        if why is None:
            return None
        if time.monotonic() > deadline:
            shown = "\n".join(f"    {line}" for line in done.stdout.splitlines())
            return f"{example.name(REPO_ROOT)}\n  {why}\n  output:\n{shown}"
        time.sleep(0.5)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.relative_to(REPO_ROOT).as_posix())
def test_every_example_runs_as_shown(path: Path, tmp_path: Path) -> None:
    runnable = [example for example in examples_of(path) if not example.not_run_because]
    stack = start_stack(tmp_path, EXAMPLE_TOKEN)
    try:
        failures = [
            found for example in runnable if (found := run_example(stack, tmp_path, example))
        ]
    finally:
        stop_stack(stack)
    assert not failures, f"{len(failures)} of {len(runnable)} examples differ:\n\n" + "\n\n".join(
        failures
    )
