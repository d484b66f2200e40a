"""AWS round trips per request, counted by botocore event hooks on the layer's own clients.

Every route's handler runs in this process against DynamoDB Local (as the local stack runs it);
hooks on `warehouse_inventory.dal.clients.dynamodb_client()` and `sqs_client()` record each API
call (operation, table) and inject `ReturnConsumedCapacity=TOTAL` where the operation takes it,
so the capacity DynamoDB Local reports is summed too. Powertools' idempotency store uses the same
client, so its calls are counted, and told apart by their table.
"""

import contextlib
import io
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.fixtures import Event, fresh
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import FunctionSpec

READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
MOVEMENT_WRITES = {
    # the stock write, then (restock, adjust) the item's upkeep: it may have been deleted
    "POST /inventory/restock": 2,
    "POST /inventory/pick": 1,
    "POST /inventory/adjust": 2,
}
BATCH_ROUTE = "POST /inventory/movements"
IDEMPOTENT_ROUTES = frozenset(MOVEMENT_WRITES) | {"POST /inventory/transfer", BATCH_ROUTE}


@dataclass
class Call:
    service: str
    operation: str
    table: str | None
    capacity: float | None = None


@dataclass
class Recorder:
    """Collects the calls of one request."""

    idempotency_table: str
    calls: list[Call] = field(default_factory=list)

    def install(self, dynamodb: Any, sqs: Any) -> None:
        dynamodb.meta.events.register("provide-client-params.dynamodb.*", self._dynamodb_params)
        dynamodb.meta.events.register("after-call.dynamodb.*", self._dynamodb_result)
        sqs.meta.events.register("provide-client-params.sqs.*", self._sqs_params)

    def _dynamodb_params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")
        self.calls.append(Call("dynamodb", model.name, params.get("TableName")))

    def _dynamodb_result(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity")
        entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
        units = [entry.get("CapacityUnits") for entry in entries if "CapacityUnits" in entry]
        if units and self.calls:
            self.calls[-1].capacity = float(sum(units))

    def _sqs_params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(Call("sqs", model.name, params.get("QueueUrl")))


@dataclass(frozen=True)
class Case:
    label: str  # route, and "+ Idempotency-Key" when one is sent
    spec: FunctionSpec
    event: Event
    prepare: Callable[[], None]
    idempotency_key: bool | None


def summarise(case: Case, requests: list[list[Call]], idempotency_table: str) -> dict[str, Any]:
    def median_of(count: Callable[[list[Call]], float]) -> float:
        return float(statistics.median(count(calls) for calls in requests))

    def own(calls: list[Call]) -> list[Call]:
        return [c for c in calls if c.service == "dynamodb" and c.table != idempotency_table]

    def idempotency(calls: list[Call]) -> list[Call]:
        return [c for c in calls if c.service == "dynamodb" and c.table == idempotency_table]

    capacities = [
        sum(c.capacity for c in calls if c.capacity is not None)
        for calls in requests
        if any(c.capacity is not None for c in calls)
    ]
    last = requests[-1]
    result = {
        "route": case.label,
        "runs": len(requests),
        "dynamodb_calls": median_of(lambda calls: len(own(calls))),
        "dynamodb_reads": median_of(lambda calls: sum(c.operation in READS for c in own(calls))),
        "dynamodb_writes": median_of(lambda calls: sum(c.operation in WRITES for c in own(calls))),
        "queries": median_of(lambda calls: sum(c.operation == "Query" for c in own(calls))),
        "idempotency_calls": median_of(lambda calls: len(idempotency(calls))),
        "sqs_calls": median_of(lambda calls: sum(c.service == "sqs" for c in calls)),
        "operations": dict(Counter(c.operation for c in own(last))),
        "idempotency_operations": dict(Counter(c.operation for c in idempotency(last))),
        "capacity_units": round(statistics.median(capacities), 2) if capacities else None,
    }
    result["target"], result["status"] = target(case, result)
    return result


def target(case: Case, result: dict[str, Any]) -> tuple[str, str]:
    route = case.label.removesuffix(" + Idempotency-Key")
    method = route.split(" ", 1)[0]
    if route in MOVEMENT_WRITES:
        writes = MOVEMENT_WRITES[route]
        ok = result["dynamodb_calls"] == writes and result["dynamodb_writes"] == writes
        if not case.idempotency_key:
            ok = ok and result["idempotency_calls"] == 0
        extra = " + idempotency store" if case.idempotency_key else ""
        label = "1 write" if writes == 1 else "1 write + item upkeep"
        return f"{label}{extra}", "PASS" if ok else "MISS"
    if route == BATCH_ROUTE:  # the sample: a restock and a count of one SKU
        operations = result["operations"]
        ok = result["dynamodb_calls"] == 3 and operations == {
            "TransactWriteItems": 1,
            "Query": 1,
            "UpdateItem": 1,
        }
        if not case.idempotency_key:
            ok = ok and result["idempotency_calls"] == 0
        extra = " + idempotency store" if case.idempotency_key else ""
        return f"1 transaction + 1 read per SKU + item upkeep{extra}", "PASS" if ok else "MISS"
    if method == "GET" and result["dynamodb_calls"] == 0:
        return "-", "-"  # no data access (health, docs)
    if method == "GET" and "{" in route:
        ok = result["dynamodb_calls"] == 1 and result["dynamodb_reads"] == 1
        return "1 read", "PASS" if ok else "MISS"
    if method == "GET":
        ok = result["dynamodb_calls"] == 1 and result["queries"] == 1
        return "1 Query / page", "PASS" if ok else "MISS"
    return "-", "-"


def measure(cases: list[Case], runs: int, idempotency_table: str) -> list[dict[str, Any]]:
    """Runs inside the functions' environment (see run.py); each case `runs` times."""
    from warehouse_inventory.dal.clients import dynamodb_client, sqs_client

    recorder = Recorder(idempotency_table)
    recorder.install(dynamodb_client(), sqs_client())
    results = []
    for case in cases:
        requests: list[list[Call]] = []
        for run in range(runs + 1):  # the first request also creates the clients: not counted
            case.prepare()
            event = fresh(case.event, idempotency_key=case.idempotency_key)
            recorder.calls = []
            with contextlib.redirect_stdout(io.StringIO()):  # EMF metrics, as Lambda logs them
                response = invoke(case.spec, event)
            if not 200 <= int(response.get("statusCode", 0)) < 300:
                raise RuntimeError(f"{case.label}: {response.get('statusCode')} {response}")
            if run:
                requests.append(recorder.calls)
        results.append(summarise(case, requests, idempotency_table))
    return results
