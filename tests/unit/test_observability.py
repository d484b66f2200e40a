"""The Tracer exists only where Powertools would trace: in Lambda, not disabled, not emulated."""

from typing import Any

import pytest

from warehouse_inventory import observability

LAMBDA = {"LAMBDA_TASK_ROOT": "/var/task"}


@pytest.mark.parametrize(
    ("environment", "enabled"),
    [
        ({}, False),  # tests, the local stack: not in Lambda
        (LAMBDA, True),
        (LAMBDA | {"POWERTOOLS_TRACE_DISABLED": "true"}, False),
        (LAMBDA | {"POWERTOOLS_TRACE_DISABLED": "1"}, False),
        (LAMBDA | {"POWERTOOLS_TRACE_DISABLED": "false"}, True),
        (LAMBDA | {"AWS_SAM_LOCAL": "true"}, False),  # `sam local invoke`: no X-Ray daemon
    ],
)
def test_tracing_follows_powertools_rule(
    environment: dict[str, str], enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert observability.tracing_enabled() is enabled


def test_handlers_stay_unwrapped_without_tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    observability.tracer.cache_clear()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return event

    try:
        assert observability.tracer() is None
        assert observability.traced(handler) is handler
    finally:
        observability.tracer.cache_clear()
