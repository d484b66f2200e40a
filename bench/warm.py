"""Warm overhead: handler time per request with the data layer faked, in a process of its own.

    python -m bench.warm OUTPUT_JSON [REQUESTS]

The functions' environment from template.yaml, then the cached service factories of
`warehouse_inventory.wiring` replaced by ones that return services over the in-memory
repository of the unit tests, BEFORE any route module imports them, so the handlers built by
the functions' own entry modules run the full stack (Powertools, Mangum, middlewares, FastAPI,
validation, the service) minus DynamoDB. Each request is timed on its own; the figure is the
median. Baseline: a minimal handler that only parses the body and answers a dict.
"""

import contextlib
import gc
import io
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.fixtures import EVENTS_DIR, LOCATIONS, SKU, STOCK, load_event
from tests.support.fakes import FakeInventoryRepository
from warehouse_devstack.lambda_runtime import LambdaContext, apply_environment, load_handler
from warehouse_devstack.template import load_template

WARMUP = 200
ROUTES = {"GetInventoryFunction": "get_inventory", "RestockFunction": "restock"}

Handler = Callable[[dict[str, Any], Any], Any]


def baseline_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    body = json.loads(event.get("body") or "{}")
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": body}


def fake_data_layer() -> None:
    """Services over FakeInventoryRepository, wired where the handlers look them up."""
    from warehouse_inventory import wiring
    from warehouse_inventory.domain.stock import StockLevel
    from warehouse_inventory.services.inventory import InventoryService

    repository = FakeInventoryRepository()
    now = datetime.now(UTC)
    for location in LOCATIONS:
        repository.levels[(SKU, location)] = StockLevel(SKU, location, STOCK, 1, now)
    repository.items[SKU] = now
    service = InventoryService(repository, wiring.cursor_codec())
    wiring.inventory_service = lambda: service  # type: ignore[assignment]


def per_request_us(handler: Handler, event: dict[str, Any], requests: int) -> list[float]:
    context = LambdaContext(function_name="bench")
    for _ in range(WARMUP):
        handler(event, context)
    timings = []
    clock = time.perf_counter_ns
    for _ in range(requests):
        started = clock()
        response = handler(event, context)
        timings.append((clock() - started) / 1000)
    if not 200 <= int(response["statusCode"]) < 300:
        raise RuntimeError(f"warm request failed: {response}")
    return timings


def summary(timings: list[float], baseline_us: float | None) -> dict[str, Any]:
    median = statistics.median(timings)
    ordered = sorted(timings)
    return {
        "median_us": round(median, 1),
        "p90_us": round(ordered[int(len(ordered) * 0.9)], 1),
        "mean_us": round(statistics.fmean(timings), 1),
        "requests": len(timings),
        "overhead_us": round(median - baseline_us, 1) if baseline_us is not None else None,
        "ratio": round(median / baseline_us, 1) if baseline_us else None,
    }


def main() -> None:
    # Powertools warns on every flush without metrics (GET); Lambda would log it once.
    warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
    output, requests = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    template = load_template()
    os.environ |= {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench"}
    os.environ |= {"AWS_SECRET_ACCESS_KEY": "bench"}
    apply_environment(template)  # as deployed: Logger and Metrics on; no Lambda here: no X-Ray
    fake_data_layer()
    results: dict[str, Any] = {}
    sink = io.StringIO()  # the metrics' EMF lines (stdout in Lambda)
    with contextlib.redirect_stdout(sink):
        restock_event = load_event(EVENTS_DIR / "restock.json")
        gc.collect()
        baseline = per_request_us(baseline_handler, restock_event, requests)
        baseline_us = statistics.median(baseline)
        results["baseline"] = {"route": "json.loads + dict"} | summary(baseline, None)
        for logical_id, name in ROUTES.items():
            handler = load_handler(template.function(logical_id))
            event = load_event(EVENTS_DIR / f"{name}.json")
            gc.collect()
            timings = per_request_us(handler, event, requests)
            route = f"{event['httpMethod']} {event['resource']}"
            results[logical_id] = {"route": route} | summary(timings, baseline_us)
            sink.seek(0)
            sink.truncate()
    with open(output, "w", encoding="utf-8") as file:
        json.dump(results, file)


if __name__ == "__main__":
    main()
