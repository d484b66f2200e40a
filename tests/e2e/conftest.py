"""The real local stack (`python -m warehouse_devstack`) as a subprocess, once per session.

Teardown checks what a developer relies on: SIGINT stops it with exit code 0 and leaves no
DynamoDB Local (java) process behind.
"""

from collections.abc import Iterator

import httpx
import pytest

from tests.support.doc_examples import not_run_examples
from tests.support.local_stack import ADMIN_TOKEN, StackProcess, start_stack, stop_stack

DOC_EXAMPLES = "test_doc_examples.py::"


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    """Without the authorizer's policy cache: a token revoked by one test is refused at once in
    the next, whatever the order (deployed, and in `make run`, it passes for the cache's TTL)."""
    logs = tmp_path_factory.mktemp("local-stack")
    stack = start_stack(logs, ADMIN_TOKEN, "--authorizer-cache-seconds", "0")
    yield stack
    stop_stack(stack)


@pytest.fixture(scope="session")
def base_url(local_stack: StackProcess) -> str:
    return local_stack.base_url


@pytest.fixture(scope="session")
def client(base_url: str) -> Iterator[httpx.Client]:
    headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=base_url, timeout=10, headers=headers) as client:
        yield client


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """tests/e2e/test_doc_examples.py's examples that were not run, by name: never silently.
    Read from the reports (which reach this process under xdist too), not from a fixture's
    state, which would stay in the worker that ran it."""
    reports = (report for reports in terminalreporter.stats.values() for report in reports)
    ran = any(DOC_EXAMPLES in getattr(report, "nodeid", "") for report in reports)
    not_run = not_run_examples() if ran else []
    if not_run:
        terminalreporter.section(f"documented examples not run ({len(not_run)})")
        for name in not_run:
            terminalreporter.line(name)
