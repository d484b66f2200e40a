"""Powertools Logger, Metrics and Tracer shared by every function (service and namespace from the
env). The Tracer exists only where tracing is on: Powertools' `Tracer()` imports the X-Ray SDK even
when disabled, which would cost every cold start of the tests and the local stack."""

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

logger = Logger()
metrics = Metrics()

TRUTHY = frozenset({"1", "y", "yes", "t", "true", "on"})


def tracing_enabled() -> bool:
    """Powertools' own rule: in Lambda (not under `sam local` or Chalice), unless
    POWERTOOLS_TRACE_DISABLED is true."""
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in TRUTHY:
        return False
    in_emulator = os.environ.get("AWS_SAM_LOCAL") or os.environ.get("AWS_CHALICE_CLI_MODE")
    return bool(os.environ.get("LAMBDA_TASK_ROOT")) and not in_emulator


@cache
def tracer() -> "Tracer | None":
    """X-Ray through Powertools, patching botocore only (AWS calls as subsegments): patching
    everything would import and wrap libraries the functions never use."""
    if not tracing_enabled():
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(patch_modules=["botocore"])


def traced[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """The handler in a Tracer segment when tracing is on, else unchanged. Responses are not
    recorded: some carry secrets (POST /tokens)."""
    active = tracer()
    if active is None:
        return handler
    return cast(Handler, active.capture_lambda_handler(handler, capture_response=False))


_movement_lock = threading.Lock()  # the local stack serves requests from many threads


@cache
def movement_metrics(kind: str) -> EphemeralMetrics:
    """The EMF emitter of one movement type, its dimension set once. Powertools' `single_metric`
    would give the same record but build a new emitter for each (half the metric's cost)."""
    emitter = EphemeralMetrics()
    emitter.set_default_dimensions(movement_type=kind)
    return emitter


def count_movement(kind: str, count: int = 1) -> None:
    """Business metric: movements by type, as its own EMF record so the dimension stays local.
    Disabled by POWERTOOLS_METRICS_DISABLED as everywhere (an EphemeralMetrics would then keep
    the values it does not print)."""
    if is_metrics_disabled():
        return
    emitter = movement_metrics(kind)
    with _movement_lock:
        emitter.add_metric(name="Movements", unit=MetricUnit.Count, value=count)
        emitter.flush_metrics()


@contextmanager
def best_effort(step: str, **context: Any) -> Iterator[None]:
    """A step whose failure is logged and goes no further: what follows a committed movement
    (its metric, the item's upkeep, the response) must not turn it into an error, which would
    invite a retry. Logging the failure may itself fail; that is suppressed too."""
    try:
        yield
    except Exception:
        log_failure(step, **context)


def log_failure(step: str, **context: Any) -> None:
    """Log the exception being handled, as the failure of `step`; never raises."""
    with suppress(Exception):
        logger.exception("step failed after the commit", extra={"step": step, **context})
