"""The local stack under load: `python -m warehouse_devstack` in a process of its own (DynamoDB
Local, API Gateway emulator with the authorizer, every function in-process), and concurrent
keep-alive HTTP clients here, each request timed.

Throughput is the median of the request counts per half second (at least 15 windows per run),
as requests per second; latencies are percentiles over every request. Baseline: GET /health,
which passes the same gateway and Lambda machinery but neither the authorizer nor DynamoDB.

Audit lag: on the quiet stack, one restock at a time, the seconds from its answer until
GET /reports/movements shows it (table stream, the relay's 1 s batching window, SQS, the audit
consumer, the audit table).

Bulk import: `warehouse import` of a 1,000-line file in batches, against one line per request,
on the same stack after the load (bulk_import.py).

`python -m bench.local_stack [--seconds 20]` runs only the load (/health, then the mix) and prints
its JSON and the two target lines of bench/report.py.
"""

import argparse
import http.client
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from warehouse_devstack.backends.dynamodb_local import free_port, wait_for_port
from warehouse_devstack.template import REPO_ROOT

SKUS = [f"BENCH{number:02d}" for number in range(20)]
LOCATION = "A-01"
STARTUP_TIMEOUT = 120.0
WINDOW_SECONDS = 0.5
AUDIT_LAG_MOVEMENTS = 21  # the first warms the relay and the consumer up
AUDIT_LAG_TIMEOUT = 60.0
AUDIT_LAG_SKU = "BENCHAUDIT"
CONNECTION_FAILED = 599

Request = tuple[str, str, bytes | None]  # method, path, body


@dataclass(frozen=True)
class Stack:
    port: int
    token: str


@contextmanager
def running_stack(token: str) -> Iterator[Stack]:
    """The local stack as `make run` starts it, on free ports, stopped with SIGTERM."""
    port, dynamodb_port, sqs_port = free_port(), free_port(), free_port()
    environment = os.environ | {"WAREHOUSE_ADMIN_TOKEN": token}
    # SQS on a free port too: `make run`'s 9324 may be taken by a developer's stack.
    ports = [
        "--port",
        str(port),
        "--dynamodb-port",
        str(dynamodb_port),
        "--sqs-port",
        str(sqs_port),
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "warehouse_devstack", *ports],
        cwd=REPO_ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # one log line per invocation: the developer's console
    )
    try:
        wait_for_port(port, STARTUP_TIMEOUT, alive=lambda: process.poll() is None)
        yield Stack(port, token)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    def __init__(self, stack: Stack) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        self._headers = {
            "authorization": f"Bearer {stack.token}",
            "content-type": "application/json",
        }

    def send(self, request: Request) -> int:
        """The status; a broken connection counts as an error (599) and is opened again."""
        return self.exchange(request)[0]

    def exchange(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        """Status, headers (lowercase names) and body; a broken connection: (599, {}, b"")."""
        method, path, body = request
        try:
            self._connection.request(method, path, body=body, headers=self._headers)
            response = self._connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self._connection.close()
            return CONNECTION_FAILED, {}, b""
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content

    def close(self) -> None:
        self._connection.close()


def seed(stack: Stack) -> None:
    """Stock to read and to pick from, through the API itself."""
    client = Client(stack)
    try:
        for sku in SKUS:
            body = {"sku": sku, "quantity": 1_000_000, "location_code": LOCATION}
            status = client.send(("POST", "/inventory/restock", json.dumps(body).encode()))
            if status != 201:
                raise RuntimeError(f"seeding the local stack failed: {status}")
    finally:
        client.close()


def mixed_request(rng: random.Random) -> Request:
    """80% GET /inventory/{sku}; 20% movements, restock and pick alike (1 unit each)."""
    sku = rng.choice(SKUS)
    if rng.random() < 0.8:
        return "GET", f"/inventory/{sku}", None
    path = "/inventory/restock" if rng.random() < 0.5 else "/inventory/pick"
    body = {"sku": sku, "quantity": 1, "location_code": LOCATION}
    return "POST", path, json.dumps(body).encode()


def health_request(rng: random.Random) -> Request:
    return "GET", "/health", None


def load(
    stack: Stack, make_request: Callable[[random.Random], Request], clients: int, seconds: float
) -> dict[str, Any]:
    """`clients` threads, each with one keep-alive connection, for `seconds`."""
    started = time.perf_counter()
    deadline = started + seconds
    records: list[list[tuple[float, float, int]]] = [[] for _ in range(clients)]

    def worker(index: int) -> None:
        rng, client = random.Random(index), Client(stack)
        own = records[index]
        try:
            while (now := time.perf_counter()) < deadline:
                status = client.send(make_request(rng))
                own.append((now - started, time.perf_counter() - now, status))
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [record for own in records for record in own]
    latencies = sorted(latency * 1000 for _, latency, _ in done)
    per_window = [0] * int(seconds / WINDOW_SECONDS)
    for at, _, _ in done:
        if int(at / WINDOW_SECONDS) < len(per_window):
            per_window[int(at / WINDOW_SECONDS)] += 1
    errors = sum(1 for _, _, status in done if status >= 400)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(done),
        "errors": errors,
        "rps_median": statistics.median(per_window) / WINDOW_SECONDS,
        "requests_per_window": per_window,
        "window_seconds": WINDOW_SECONDS,
        "p50_ms": round(latencies[len(latencies) // 2], 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
    }


def measure(
    clients: int, seconds: float, baseline_seconds: float, progress: Callable[[str], None]
) -> dict[str, Any]:
    token = "wh_bench-" + os.urandom(16).hex()
    startup = time.perf_counter()
    with running_stack(token) as stack:
        startup_s = time.perf_counter() - startup
        seed(stack)
        cold = quiet_request_ms(stack, 1)  # GET /inventory/{sku}'s function imported on first use
        lag = audit_lag(stack, AUDIT_LAG_MOVEMENTS)  # before the load: a quiet pipeline
        progress(f"local stack up in {startup_s:.1f} s; warming up")
        baseline, mixed = under_load(stack, clients, seconds, baseline_seconds, progress)
        quiet = quiet_request_ms(stack, 15)
        from bench import bulk_import  # imports the CLI: only once the stack is measured

        bulk = bulk_import.measure(stack, progress)
    return {
        "startup_s": round(startup_s, 1),
        "baseline": {"workload": "GET /health"} | baseline,
        "mixed": {"workload": "80% GET /inventory/{sku}, 20% restock/pick"} | mixed,
        "first_request_ms": cold,
        "quiet_request_ms": quiet,
        "audit_lag": lag,
        "bulk_import": bulk,
    }


def under_load(
    stack: Stack,
    clients: int,
    seconds: float,
    baseline_seconds: float,
    progress: Callable[[str], None],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A warm-up (every function's first import, not counted), then GET /health (the
    baseline), then the 80/20 mix, with its ratios to the baseline."""
    load(stack, mixed_request, clients, 2)
    baseline = load(stack, health_request, clients, baseline_seconds)
    progress("local stack: GET /health done")
    mixed = load(stack, mixed_request, clients, seconds)
    mixed["throughput_ratio"] = round(mixed["rps_median"] / baseline["rps_median"], 2)
    mixed["p50_ratio"] = round(mixed["p50_ms"] / baseline["p50_ms"], 2)
    return baseline, mixed


def audit_lag(stack: Stack, movements: int) -> dict[str, Any]:
    """Seconds from a restock's answer until /reports/movements shows it, one at a time."""
    client = Client(stack)
    body = json.dumps({"sku": AUDIT_LAG_SKU, "quantity": 1, "location_code": LOCATION}).encode()
    lags = []
    try:
        for _ in range(movements):
            status, headers, _ = client.exchange(("POST", "/inventory/restock", body))
            committed = time.perf_counter()
            if status != 201:
                raise RuntimeError(f"restock for the audit lag failed: {status}")
            lags.append(seconds_until_audited(client, headers["x-request-id"], committed))
    finally:
        client.close()
    warm = sorted(lags[1:])
    return {
        "movements": len(warm),
        "first_s": round(lags[0], 3),
        "median_s": round(statistics.median(warm), 3),
        "p90_s": round(warm[math.ceil(len(warm) * 0.9) - 1], 3),
        "max_s": round(warm[-1], 3),
    }


def seconds_until_audited(client: Client, request_id: str, committed: float) -> float:
    path = f"/reports/movements?sku={AUDIT_LAG_SKU}&limit=1"
    while (waited := time.perf_counter() - committed) < AUDIT_LAG_TIMEOUT:
        status, _, content = client.exchange(("GET", path, None))
        items = json.loads(content)["items"] if status == 200 else []
        if items and items[0]["request_id"] == request_id:
            return waited
        time.sleep(0.02)
    raise RuntimeError(f"movement {request_id} not audited after {AUDIT_LAG_TIMEOUT:g} s")


def quiet_request_ms(stack: Stack, runs: int) -> float:
    """GET /inventory/{sku} with no other load: what a developer waits for (median)."""
    client = Client(stack)
    try:
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            client.send(("GET", f"/inventory/{SKUS[0]}", None))
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        client.close()
    return round(statistics.median(timings), 1)


def main(argv: list[str] | None = None) -> int:
    """Only the load part, on a stack of its own: JSON, then the two target lines."""
    from bench import report

    parser = argparse.ArgumentParser(prog="python -m bench.local_stack", description=main.__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)

    def progress(message: str) -> None:
        sys.stderr.write(f"[bench] {message}\n")

    with running_stack("wh_bench-" + os.urandom(16).hex()) as stack:
        seed(stack)
        baseline, mixed = under_load(
            stack, args.clients, args.seconds, args.baseline_seconds, progress
        )
    figures = {"baseline": baseline, "mixed": mixed}
    print(json.dumps(figures, indent=2))
    for target in report.local_stack_targets(figures):
        print(f"{target['status']}  {target['target']}: {target['value']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
