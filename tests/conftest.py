"""Session-wide set-up: the functions' environment from template.yaml, fake AWS credentials."""

import os
from collections import Counter
from pathlib import Path

import pytest

from warehouse_devstack.lambda_runtime import apply_environment, forget_function_singletons
from warehouse_devstack.template import Template, load_template

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
)
os.environ.pop("AWS_PROFILE", None)
# The functions' environment before any test module imports the layer (Powertools reads it then).
FUNCTION_ENVIRONMENT = apply_environment(load_template())


@pytest.fixture(scope="session")
def template() -> Template:
    return load_template()


@pytest.fixture(scope="session", autouse=True)
def function_environment() -> dict[str, str]:
    forget_function_singletons()
    return FUNCTION_ENVIRONMENT


SUITES = ("unit", "integration/moto", "integration/dynamodb_local", "e2e")
"""Fastest first, so a plain `pytest` shows a unit failure in seconds, not after the e2e tests."""


def suite_rank(item: pytest.Item) -> int:
    """The item's place in SUITES; the real SAM CLI's tests (minutes) after all of them."""
    if item.get_closest_marker("sam_local"):
        return len(SUITES)
    where = item.path.relative_to(Path(__file__).parent).as_posix()
    return next((n for n, suite in enumerate(SUITES) if where.startswith(suite + "/")), 0)


def unique_ids(items: list[pytest.Item]) -> None:
    """Every test under its own id: pytest-xdist sends a file's tests to a worker by id, and of
    tests sharing one it runs a single one, silently.

    schemathesis names its tests `test[GET /path]`, but pytest 9 builds an id from a test's
    original name and its parametrize ids only, so all of them got the same id: theirs are set
    from their names here."""
    for item in items:
        label = getattr(item, "operation_label", None)
        if label is not None and item._id.params is None:
            item._id = item._id.with_params(label)
    shared = sorted(nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1)
    if shared:
        raise pytest.UsageError(f"tests sharing an id (xdist would run one of each): {shared}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unique_ids(items)
    items.sort(key=suite_rank)  # stable: each suite keeps its collection order
