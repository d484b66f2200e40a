"""Reports on the local stack: after random movements over HTTP, /reports/low-stock and
/reports/locations equal a count of the stock as the API lists it.

The projection's arithmetic against a brute-force count (500 random movements, redelivered and
reordered records) is tests/integration/dynamodb_local/test_projections.py's. What only this test
proves is the path there on the stack: concurrent writers over HTTP, the table's stream read by
the stream poller and delivered to the projector as template.yaml maps it, and the report routes
serving the result. A run of 120 movements spans several of the poller's batches.
"""

import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.local_stack import ADMIN_TOKEN, walk_pages

SKUS, LOCATIONS, MOVEMENTS = 8, 4, 120
STALL_SECONDS = 60  # reports unchanged this long while still wrong: the projector is stuck
GIVE_UP_SECONDS = 600

Reports = tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]


def move(base_url: str, plan: list[tuple[str, dict[str, Any]]]) -> None:
    headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for path, body in plan:
            status = client.post(path, json=body).status_code
            assert status in {200, 201, 404, 409}, (path, body, status)


def random_plan(
    rng: random.Random, skus: list[str], locations: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    plan: list[tuple[str, dict[str, Any]]] = []
    for _ in range(MOVEMENTS):
        sku, here = rng.choice(skus), rng.choice(locations)
        kind = rng.choice(["restock", "restock", "pick", "transfer", "adjust"])
        if kind == "restock":
            plan.append(
                (
                    "/inventory/restock",
                    {"sku": sku, "quantity": rng.randint(1, 20), "location_code": here},
                )
            )
        elif kind == "pick":
            plan.append(
                (
                    "/inventory/pick",
                    {"sku": sku, "quantity": rng.randint(1, 10), "location_code": here},
                )
            )
        elif kind == "transfer":
            there = rng.choice([loc for loc in locations if loc != here])
            body = {
                "sku": sku,
                "quantity": rng.randint(1, 10),
                "from_location": here,
                "to_location": there,
            }
            plan.append(("/inventory/transfer", body))
        else:
            body = {
                "sku": sku,
                "location_code": here,
                "counted_quantity": rng.randint(0, 15),
                "reason": "cycle_count",
            }
            plan.append(("/inventory/adjust", body))
    return plan


def brute_force(client: httpx.Client, locations: list[str], points: dict[str, int]) -> Reports:
    totals = dict.fromkeys(points, 0)
    places: dict[str, tuple[int, int]] = {}
    for location in locations:
        records = walk_pages(client, "/inventory", {"location_code": location, "limit": 100})
        places[location] = (
            sum(r["quantity"] > 0 for r in records),
            sum(r["quantity"] for r in records),
        )
        for record in records:
            totals[record["sku"]] += record["quantity"]
    low = {
        sku: (totals[sku], point)
        for sku, point in points.items()
        if point > 0 and totals[sku] <= point
    }
    return low, places


def reported(client: httpx.Client, locations: list[str], points: dict[str, int]) -> Reports:
    low = {
        line["sku"]: (line["total_quantity"], line["reorder_point"])
        for line in walk_pages(client, "/reports/low-stock", {"limit": 100})
        if line["sku"] in points
    }
    places = {
        line["location_code"]: (line["sku_count"], line["total_quantity"])
        for line in walk_pages(client, "/reports/locations", {"limit": 100})
        if line["location_code"] in locations
    }
    return low, places


@pytest.mark.timeout(GIVE_UP_SECONDS + 300)  # past pytest's 300 s default: it waits on progress
def test_reports_served_by_the_stack_equal_the_stock_after_random_movements(
    base_url: str, client: httpx.Client
) -> None:
    run, rng = uuid.uuid4().hex[:6].upper(), random.Random(2026)
    skus = [f"E{run}{n:02d}" for n in range(SKUS)]
    locations = [f"E{run}-{n}" for n in range(LOCATIONS)]
    points = {sku: rng.randint(0, 60) for sku in skus}
    for sku, point in points.items():
        body = {"name": sku, "reorder_point": point}
        assert client.put(f"/items/{sku}", json=body).status_code == 201
    plan = random_plan(rng, skus, locations)
    by_sku: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for step in plan:
        by_sku.setdefault(step[1]["sku"], []).append(step)
    with ThreadPoolExecutor(max_workers=8) as pool:  # one SKU's movements stay in order
        list(pool.map(lambda steps: move(base_url, steps), by_sku.values()))
    expected = brute_force(client, locations, points)
    assert expected[0], "the run should leave some SKUs low on stock"
    assert converged(client, locations, points, expected) == expected


def converged(
    client: httpx.Client, locations: list[str], points: dict[str, int], expected: Reports
) -> Reports:
    """The reports once they equal `expected`, or once they stop changing: waits as long as the
    projector makes progress (a slow machine is slow, not wrong), not for a fixed time."""
    started = last_change = time.monotonic()
    last = reported(client, locations, points)
    while last != expected:
        now = time.monotonic()
        if now - last_change > STALL_SECONDS or now - started > GIVE_UP_SECONDS:
            break
        time.sleep(0.5)
        current = reported(client, locations, points)
        if current != last:
            last, last_change = current, time.monotonic()
    return last
