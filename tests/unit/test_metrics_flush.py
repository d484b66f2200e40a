"""A function flushes Powertools' metrics after a request only when the request recorded some: most
record none, and an empty flush costs a warning on every request (docs/performance.md)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.metrics import MetricUnit

from warehouse_devstack.lambda_runtime import LambdaContext
from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.health import router
from warehouse_inventory.observability import metrics

EVENT = Path(__file__).resolve().parents[2] / "events" / "health.json"


@pytest.fixture
def flushes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """What each flush would have published; the metric set is left empty afterwards."""
    published: list[dict[str, Any]] = []

    def flush(raise_on_empty_metrics: bool = False) -> None:
        published.append(dict(metrics.metric_set))
        metrics.clear_metrics()

    monkeypatch.setattr(metrics, "flush_metrics", flush)
    yield published
    metrics.clear_metrics()


def serve() -> dict[str, Any]:
    handler = make_handler(router)
    response: dict[str, Any] = handler(json.loads(EVENT.read_text()), LambdaContext("Health"))
    return response


def test_a_request_without_metrics_flushes_nothing(flushes: list[dict[str, Any]]) -> None:
    assert serve()["statusCode"] == 200
    assert flushes == []


def test_a_request_with_a_metric_flushes_it(flushes: list[dict[str, Any]]) -> None:
    metrics.add_metric(name="InsufficientStockRejections", unit=MetricUnit.Count, value=1)
    assert serve()["statusCode"] == 200
    assert [list(published) for published in flushes] == [["InsufficientStockRejections"]]
