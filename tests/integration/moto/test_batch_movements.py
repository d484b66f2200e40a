"""POST /inventory/movements through its handler: each entry answers as its own route would,
all or nothing, refusals and validation errors name the entry, nothing changes on failure.

Full batches of 100 records, concurrency and the stream are tested on DynamoDB Local
(tests/integration/dynamodb_local/test_batch_movements.py)."""

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api, ApiResult, all_items
from tests.support.emf_metrics import emitted, expected_dimensions, metric_values
from warehouse_devstack.template import Template
from warehouse_inventory.dal import keys
from warehouse_inventory.dal.dynamodb import from_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PATH = "/inventory/movements"


def new_sku() -> str:
    return "B" + uuid.uuid4().hex[:12].upper()


def send(api: Api, body: Any, key: str | None = None) -> ApiResult:
    headers = [("Idempotency-Key", key)] if key else None
    return api.call("POST", PATH, body, token="operator", headers=headers)


def restock(api: Api, sku: str, quantity: int, location: str | None) -> None:
    body = {"sku": sku, "quantity": quantity, "location_code": location}
    assert api.call("POST", "/inventory/restock", body).status == 201


def last_movement(dynamodb: "DynamoDBClient", sku: str, location: str | None) -> dict[str, Any]:
    item = dynamodb.get_item(TableName="InventoryTable", Key=keys.stock_key(sku, location))["Item"]
    movement: dict[str, Any] = from_item(dict(item))["last_movement"]
    return movement


def level(body: dict[str, Any]) -> tuple[str, str | None, int, int]:
    return body["sku"], body["location_code"], body["quantity"], body["version"]


def test_each_result_is_what_the_entry_s_own_route_answers(api: Api) -> None:
    """The same four movements on two SKUs: alone through their routes, and as one batch."""
    alone, batched = new_sku(), new_sku()
    for sku in (alone, batched):
        restock(api, sku, 10, "A-1")
        restock(api, sku, 3, "B-2")
    movements = [
        ("restock", "/inventory/restock", {"quantity": 5, "location_code": "C-3"}),
        ("pick", "/inventory/pick", {"quantity": 2, "location_code": "B-2"}),
        ("transfer", "/inventory/transfer", {"quantity": 4, "from_location": "A-1",
                                             "to_location": None}),
        ("adjust", "/inventory/adjust", {"location_code": "D-4", "counted_quantity": 7,
                                         "reason": "found"}),
    ]  # fmt: skip
    singles = []
    for _, path, fields in movements:
        answer = api.call("POST", path, {"sku": alone} | fields, token="operator")
        assert answer.status in {200, 201}, answer.body
        singles.append(answer.body)
    entries = [{"type": kind, "sku": batched} | fields for kind, _, fields in movements]

    answer = send(api, {"movements": entries})

    assert answer.status == 200, answer.body
    results = answer.body["results"]
    assert len(results) == len(singles) == 4
    for single, result in zip(singles, results, strict=True):
        assert set(result) == set(single)
        ignored = {"id", "sku", "updated_at", "source", "destination"}
        assert {k: v for k, v in result.items() if k not in ignored} == {
            k: v for k, v in single.items() if k not in ignored
        }
    transfer = results[2]
    assert level(transfer["source"]) == (batched, "A-1", 6, 2)
    assert level(transfer["destination"]) == (batched, None, 4, 1)
    assert results[3]["delta"] == 7 and level(results[3]) == (batched, "D-4", 7, 1)
    assert api.call("GET", f"/items/{batched}").status == 200  # restock and count ensure it


def test_the_batch_reference_applies_to_entries_without_one(
    api: Api, dynamodb: "DynamoDBClient"
) -> None:
    sku = new_sku()
    restock(api, sku, 5, "A-1")
    entries = [
        {"type": "restock", "sku": sku, "quantity": 1, "location_code": "B-2"},
        {"type": "pick", "sku": sku, "quantity": 1, "location_code": "A-1", "reference": "SO-9"},
        {"type": "adjust", "sku": sku, "location_code": "C-3", "counted_quantity": 2,
         "reason": "cycle_count"},
    ]  # fmt: skip

    answer = send(api, {"movements": entries, "reference": "WAVE-12"})

    assert answer.status == 200, answer.body
    recorded = {
        location: last_movement(dynamodb, sku, location) for location in ("B-2", "A-1", "C-3")
    }
    assert {loc: m.get("reference") for loc, m in recorded.items()} == {
        "B-2": "WAVE-12",
        "A-1": "SO-9",
        "C-3": "WAVE-12",
    }
    assert [m["type"] for m in recorded.values()] == ["restock", "pick", "adjust"]
    assert recorded["C-3"]["reason"] == "cycle_count"
    assert len({m["request_id"] for m in recorded.values()}) == 1


@pytest.mark.parametrize(
    ("entry", "status", "code", "details"),
    [
        ({"type": "pick", "quantity": 9, "location_code": "A-1"}, 409, "insufficient_stock",
         [{"index": 2, "available": 5, "requested": 9}]),
        ({"type": "transfer", "quantity": 6, "from_location": "A-1", "to_location": "E-5"}, 409,
         "insufficient_stock", [{"index": 2, "available": 5, "requested": 6}]),
        ({"type": "pick", "quantity": 1, "location_code": "Z-9"}, 404, "not_found",
         [{"index": 2}]),
        ({"type": "adjust", "location_code": "A-1", "counted_quantity": 1, "reason": "lost",
          "expected_version": 7}, 412, "precondition_failed", [{"index": 2}]),
    ],
)  # fmt: skip
def test_a_refused_entry_is_its_own_route_s_error_with_its_index_and_nothing_changes(
    api: Api,
    dynamodb: "DynamoDBClient",
    entry: dict[str, Any],
    status: int,
    code: str,
    details: list[dict[str, Any]],
) -> None:
    sku = new_sku()
    restock(api, sku, 5, "A-1")
    entries = [
        {"type": "restock", "sku": sku, "quantity": 1, "location_code": "B-2"},
        {"type": "restock", "sku": sku, "quantity": 2, "location_code": None},
        {"sku": sku} | entry,
        {"type": "adjust", "sku": sku, "location_code": "F-6", "counted_quantity": 3,
         "reason": "found"},
    ]  # fmt: skip
    before = all_items(dynamodb)

    answer = send(api, {"movements": entries})

    assert answer.status == status, answer.body
    assert (answer.body["error"]["code"], answer.body["error"]["details"]) == (code, details)
    assert all_items(dynamodb) == before


def test_the_first_refused_entry_is_the_answer(api: Api, dynamodb: "DynamoDBClient") -> None:
    sku = new_sku()
    restock(api, sku, 1, "A-1")
    entries = [
        {"type": "pick", "sku": sku, "quantity": 1, "location_code": "Z-8"},
        {"type": "pick", "sku": sku, "quantity": 2, "location_code": "A-1"},
    ]
    answer = send(api, {"movements": entries})
    assert (answer.status, answer.body["error"]["details"]) == (404, [{"index": 0}])


GOOD = {
    "restock": {"type": "restock", "sku": "BATCH1", "quantity": 1, "location_code": "A-1"},
    "pick": {"type": "pick", "sku": "BATCH1", "quantity": 1, "location_code": "A-1"},
    "transfer": {"type": "transfer", "sku": "BATCH1", "quantity": 1, "from_location": "A-1",
                 "to_location": "B-2"},
    "adjust": {"type": "adjust", "sku": "BATCH1", "location_code": "A-1", "counted_quantity": 1,
               "reason": "cycle_count"},
}  # fmt: skip
BAD_ENTRIES = [
    ("restock", {"quantity": 0}, ["quantity"]),
    ("restock", {"sku": "bad1"}, ["sku"]),
    ("restock", {"quantity": "3"}, ["quantity"]),
    ("restock", {"counted_quantity": 3}, ["counted_quantity"]),  # another route's field
    ("pick", {"quantity": 1_000_001}, ["quantity"]),
    ("pick", {"location_code": "A_1"}, ["location_code"]),
    ("pick", {"reason": "lost"}, ["reason"]),
    ("transfer", {"to_location": "A-1"}, [""]),  # the same location: the entry itself
    ("transfer", {"location_code": "A-1"}, ["location_code"]),
    ("transfer", {"from_location": None, "to_location": None}, [""]),
    ("adjust", {"reason": "stolen"}, ["reason"]),
    ("adjust", {"counted_quantity": -1}, ["counted_quantity"]),
    ("adjust", {"reference": "PO-1"}, ["reference"]),  # a count has no reference of its own
    ("adjust", {"expected_version": 2**53}, ["expected_version"]),
]


@pytest.mark.parametrize(("kind", "change", "fields"), BAD_ENTRIES)
def test_bad_input_of_each_entry_type_is_422_naming_the_entry(
    api: Api, dynamodb: "DynamoDBClient", kind: str, change: dict[str, Any], fields: list[str]
) -> None:
    good = {"type": "restock", "sku": "BATCH2", "quantity": 1, "location_code": "Z-1"}
    before = all_items(dynamodb)

    answer = send(api, {"movements": [good, good | {"sku": "BATCH3"}, GOOD[kind] | change]})

    assert answer.status == 422, answer.body
    named = [detail["field"] for detail in answer.body["error"]["details"]]
    assert named == [f"movements.2.{field}".rstrip(".") for field in fields]
    assert all_items(dynamodb) == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"movements": []}, ["movements"]),
        ({"movements": [GOOD["restock"]] * 101}, ["movements"]),
        ({}, ["movements"]),
        ({"movements": [GOOD["restock"]], "extra": 1}, ["extra"]),
        ({"movements": [GOOD["restock"]], "reference": "x" * 101}, ["reference"]),
        ({"movements": [GOOD["pick"] | {"type": "move"}]}, ["movements.0.type"]),
        ({"movements": [{"sku": "BATCH1", "quantity": 1}]}, ["movements.0.type"]),
        ({"movements": [5]}, ["movements.0"]),
        ({"movements": [GOOD["restock"], GOOD["pick"]]}, ["movements.1.location_code"]),
        ({"movements": [GOOD["transfer"], GOOD["adjust"] | {"location_code": "B-2"}]},
         ["movements.1.location_code"]),
        ({"movements": [GOOD["pick"], GOOD["transfer"]]}, ["movements.1.from_location"]),
        ({"movements": [GOOD["transfer"] | {"sku": f"T{n:03d}"} for n in range(51)]},
         ["movements"]),
    ],
)  # fmt: skip
def test_bad_batches_are_422_naming_what_is_wrong(
    api: Api, dynamodb: "DynamoDBClient", body: dict[str, Any], fields: list[str]
) -> None:
    before = all_items(dynamodb)
    answer = send(api, body)
    assert answer.status == 422, answer.body
    assert answer.body["error"]["code"] == "validation_error"
    assert [detail["field"] for detail in answer.body["error"]["details"]] == fields
    assert all(detail["message"] for detail in answer.body["error"]["details"])
    assert all_items(dynamodb) == before


def test_a_repeat_with_the_same_key_replays_and_another_body_is_refused(
    api: Api, dynamodb: "DynamoDBClient"
) -> None:
    sku = new_sku()
    body = {"movements": [{"type": "restock", "sku": sku, "quantity": 3, "location_code": "A-1"}]}
    key = str(uuid.uuid4())
    first = send(api, body, key)
    before = all_items(dynamodb)

    again = send(api, body, key)
    other = send(api, {"movements": [body["movements"][0] | {"quantity": 4}]}, key)

    assert (first.status, again.status) == (200, 200)
    assert again.body == first.body
    assert again.headers.get("idempotent-replayed") == "true"
    assert (other.status, other.body["error"]["code"]) == (422, "idempotency_key_reused")
    assert all_items(dynamodb) == before


def test_a_key_freed_by_a_refusal_takes_the_batch_without_its_refused_entry(api: Api) -> None:
    """What the CLI does: a refused batch leaves nothing under its key, so the same key may
    carry the batch again without the refused entry; a third body is then refused."""
    sku = new_sku()
    restock(api, sku, 1, "A-1")
    take = {"type": "pick", "sku": sku, "quantity": 2, "location_code": "A-1"}
    add = {"type": "restock", "sku": sku, "quantity": 5, "location_code": "B-2"}
    key = str(uuid.uuid4())

    refused = send(api, {"movements": [add, take]}, key)
    rest = send(api, {"movements": [add]}, key)
    again = send(api, {"movements": [add, take]}, key)

    assert refused.status == 409
    assert rest.status == 200 and rest.body["results"][0]["quantity"] == 5
    assert (again.status, again.body["error"]["code"]) == (422, "idempotency_key_reused")


@pytest.mark.usefixtures("metrics_on")
def test_a_batch_counts_its_movements_under_their_types(
    api: Api, template: Template, capsys: pytest.CaptureFixture[str]
) -> None:
    sku = new_sku()
    restock(api, sku, 4, "A-1")
    capsys.readouterr()
    entries = [
        {"type": "restock", "sku": sku, "quantity": 1, "location_code": "B-2"},
        {"type": "restock", "sku": sku, "quantity": 1, "location_code": "C-3"},
        {"type": "pick", "sku": sku, "quantity": 1, "location_code": "A-1"},
    ]
    assert send(api, {"movements": entries}).status == 200
    dimensions = expected_dimensions(template)
    assert metric_values(emitted(capsys.readouterr().out), "Movements") == [
        (dimensions | {"movement_type": "restock"}, [2.0]),
        (dimensions | {"movement_type": "pick"}, [1.0]),
    ]
