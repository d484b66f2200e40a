"""The projector under a 1,000-change burst on DynamoDB Local: DynamoDB calls per stock change,
through the function's own handler, counted by a botocore hook on the layer's client (calls are
what a busy stream waits on; a count is the same on a loaded machine as on a quiet one).

The burst is a delivery, as `warehouse import` sends one: 1,000 restocks, each of its own stock
record (200 SKUs x 5 locations, shuffled), so no change is skipped for a newer one of its record
(the worst case for the projector). Its stream records go to the projector in batches of 100,
the template's BatchSize. The baseline, in the same run: changes of the same kind delivered one
per invocation (a quiet stream), where nothing can be shared between changes.

    python -m bench.projector    # only this part of `make bench`, on a DynamoDB Local of its own
"""

import contextlib
import io
import json
import random
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BURST_CHANGES = 1_000
BASELINE_CHANGES = 100
LOCATIONS = 5
BATCH_SIZE = 100  # template.yaml: ProjectorFunction's stream event BatchSize
TARGET_CALLS_PER_CHANGE = 1.5


def stream_record(sku: str, location: str, quantity: int, sequence: int) -> dict[str, Any]:
    """A stock record's INSERT as the table's stream delivers it (keys, new image, position)."""
    return {
        "eventID": uuid.uuid4().hex,
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"pk": {"S": f"SKU#{sku}"}, "sk": {"S": f"STOCK#{location}"}},
            "NewImage": {
                "pk": {"S": f"SKU#{sku}"},
                "sk": {"S": f"STOCK#{location}"},
                "sku": {"S": sku},
                "location_code": {"S": location},
                "quantity": {"N": str(quantity)},
                "version": {"N": "1"},
            },
            "SequenceNumber": f"{sequence:021d}",
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def delivery(changes: int, seed: int) -> tuple[list[str], list[dict[str, Any]]]:
    """(SKUs, stream records): `changes` restocks of distinct stock records, shuffled; SKUs and
    locations unique to this run, so the summaries it checks are its own."""
    run = uuid.uuid4().hex[:8].upper()
    skus = [f"PROJ{run}{n:04d}" for n in range(-(-changes // LOCATIONS))]
    locations = [f"P{run}-{n}" for n in range(LOCATIONS)]
    places = [(sku, location) for sku in skus for location in locations][:changes]
    random.Random(seed).shuffle(places)
    records = [
        stream_record(sku, location, n % 50 + 1, n + 1) for n, (sku, location) in enumerate(places)
    ]
    return skus, records


def counted_client(calls: Counter[str]) -> "DynamoDBClient":
    """The layer's own client (the one the projector's handler uses), every call counted."""
    from warehouse_inventory.dal.clients import dynamodb_client

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    client = dynamodb_client()
    client.meta.events.register("before-call.dynamodb.*", count)
    return client


def run_burst(
    client: "DynamoDBClient", table: str, changes: int, batch: int, seed: int, calls: Counter[str]
) -> dict[str, Any]:
    """Invoke the projector's handler (as the local stack does) with one delivery in batches
    of `batch` records; calls per change and a check that the summaries add up to it."""
    from warehouse_devstack.lambda_runtime import invoke
    from warehouse_devstack.template import Template
    from warehouse_inventory.dal.stock_repository import DynamoDBInventoryRepository

    spec = Template().function("ProjectorFunction")
    skus, records = delivery(changes, seed)
    DynamoDBInventoryRepository(client, table).ensure_items(skus, datetime.now(UTC))
    calls.clear()
    started = time.perf_counter()
    for start in range(0, len(records), batch):
        with contextlib.redirect_stdout(io.StringIO()):  # EMF metrics, as Lambda logs them
            response = invoke(spec, {"Records": records[start : start + batch]})
        if response != {"batchItemFailures": []}:
            raise RuntimeError(f"projector failed records: {response}")
    seconds = time.perf_counter() - started
    made = dict(calls)
    check_summaries(client, table, records)
    return {
        "changes": len(records),
        "batch_size": batch,
        "skus": len(skus),
        "dynamodb_calls": sum(made.values()),
        "operations": made,
        "calls_per_change": round(sum(made.values()) / len(records), 3),
        "seconds": round(seconds, 2),
        "changes_per_second": round(len(records) / seconds, 1),
    }


def check_summaries(client: "DynamoDBClient", table: str, records: list[dict[str, Any]]) -> None:
    """Each location's summary equals the delivery's quantities there: a count that comes from
    a projector that skipped work would not be worth reporting."""
    expected: Counter[str] = Counter()
    for record in records:
        image = record["dynamodb"]["NewImage"]
        expected[image["location_code"]["S"]] += int(image["quantity"]["N"])
    for location, total in expected.items():
        key = {"pk": {"S": f"LOCATION#{location}"}, "sk": {"S": "SUMMARY"}}
        summary = client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item", {})
        found = int(summary.get("total_quantity", {}).get("N", "0"))
        if found != total:
            raise RuntimeError(f"summary of {location}: {found}, expected {total}")


def measure(table: str) -> dict[str, Any]:
    """Runs inside the functions' environment (run.py), against its DynamoDB Local."""
    calls: Counter[str] = Counter()
    client = counted_client(calls)
    baseline = run_burst(client, table, BASELINE_CHANGES, 1, seed=1, calls=calls)
    burst = run_burst(client, table, BURST_CHANGES, BATCH_SIZE, seed=2, calls=calls)
    return {
        "workload": f"{BURST_CHANGES} restocks of distinct stock records ({LOCATIONS} locations)",
        "baseline": baseline,
        "burst": burst,
        "ratio": round(burst["calls_per_change"] / baseline["calls_per_change"], 2),
        "target_calls_per_change": TARGET_CALLS_PER_CHANGE,
    }


def main() -> int:
    from warehouse_devstack.backends.dynamodb_local import dynamodb_local, free_port
    from warehouse_devstack.backends.provisioning import create_tables
    from warehouse_devstack.stack import function_environment
    from warehouse_devstack.template import Template

    template = Template()
    with dynamodb_local(free_port()) as endpoint, function_environment(template, endpoint.url):
        import boto3

        from warehouse_inventory.settings import get_settings

        create_tables(boto3.client("dynamodb", endpoint_url=endpoint.url), template)
        result = measure(get_settings().table_name)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
