"""Schemathesis against the running local stack: every operation of the served OpenAPI document,
fed generated valid and invalid input as an admin, never answers 5xx ("no input a client can send
produces a 500") and always answers as documented: status code, content type and body schema.

The tests are generated at collection, before the stack runs, from the same document built in
this process; `served_document_is_the_tested_one` checks the stack serves exactly that one.
(`schemathesis.pytest.from_fixture`, which loads the schema at run time, fails on pytest 9: it
sets `Function._nodeid`, which pytest no longer has.)

How many cases ran, per operation and phase, is written to `schemathesis-cases.json` in the
session's tmp dir and shown on the terminal after the module, whatever the capture mode.

Generation is derandomized: every run sends the same cases. Widening the search is a change to
EXAMPLES_PER_OPERATION, made on purpose, not the luck of a run.
"""

import copy
import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.local_stack import ADMIN_TOKEN
from warehouse_inventory.http.openapi import openapi_document

EXAMPLES_PER_OPERATION = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

schema = schemathesis.openapi.from_dict(copy.deepcopy(openapi_document()))
# Cases sent, as (operation, what) -> count, `what` being "phase:<name>" or "status:<code>".
tally: Counter[tuple[str, str]] = Counter()


@pytest.fixture(scope="module", autouse=True)
def served_document_is_the_tested_one(base_url: str) -> None:
    response = httpx.get(f"{base_url}/api/openapi.json", timeout=10)
    assert response.status_code == 200, response.text
    assert response.json() == openapi_document()


@pytest.fixture(scope="module", autouse=True)
def case_report(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """After the module: the counts as JSON and one terminal line per operation."""
    started = time.monotonic()
    yield
    seconds = time.monotonic() - started
    operations: dict[str, dict[str, Any]] = {}
    for (operation, what), count in sorted(tally.items()):
        counts = operations.setdefault(operation, {"cases": 0, "phase": {}, "status": {}})
        kind, value = what.split(":", 1)
        counts[kind][value] = count
        counts["cases"] += count if kind == "phase" else 0
    total = sum(counts["cases"] for counts in operations.values())
    path = tmp_path_factory.mktemp("schemathesis") / "schemathesis-cases.json"
    report = {"seconds": round(seconds, 1), "cases": total, "operations": operations}
    path.write_text(json.dumps(report, indent=2))
    lines = [f"schemathesis: {total} cases in {seconds:.1f} s ({path})"]
    lines += [
        f"  {counts['cases']:5d}  {operation:28s} {counts['phase']}  {counts['status']}"
        for operation, counts in operations.items()
    ]
    plugins = request.config.pluginmanager
    reporter, capture = plugins.getplugin("terminalreporter"), plugins.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():  # shown with and without -s
        for line in lines:
            reporter.write_line(line)


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,  # of the fuzzing phase; coverage cases come on top
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # The same cases on every run (a seed derived from each test's name, no example database):
    # a failure shows again on the next run, and a run that passes says the same thing each time.
    derandomize=True,
    database=None,
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case[Any], base_url: str, session: requests.Session
) -> None:
    phase = case.meta.phase.name.value if case.meta is not None else "unknown"
    tally[(case.operation.label, f"phase:{phase}")] += 1
    response = case.call(base_url=base_url, headers=AUTH, session=session)
    tally[(case.operation.label, f"status:{response.status_code}")] += 1
    case.validate_response(response, checks=CHECKS, headers=AUTH)
