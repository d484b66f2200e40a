"""Pick, transfer and adjust through their handlers: outcomes, error codes, no change on failure."""

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api, all_items

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def new_sku() -> str:
    return "M" + uuid.uuid4().hex[:12].upper()


def restock(api: Api, sku: str, quantity: int, location: str | None = "A-1") -> dict[str, Any]:
    result = api.call(
        "POST", "/inventory/restock", {"sku": sku, "quantity": quantity, "location_code": location}
    )
    assert result.status == 201, result.body
    body: dict[str, Any] = result.body
    return body


def levels(api: Api, sku: str) -> dict[str | None, tuple[int, int]]:
    stock = api.call("GET", f"/inventory/{sku}").body
    return {
        level["location_code"]: (level["quantity"], level["version"]) for level in stock["levels"]
    }


def test_pick_takes_stock_and_counts_a_version(api: Api) -> None:
    sku = new_sku()
    restock(api, sku, 10)
    result = api.call(
        "POST",
        "/inventory/pick",
        {"sku": sku, "quantity": 4, "location_code": "A-1"},
        token="operator",
    )
    assert result.status == 200
    assert (result.body["quantity"], result.body["version"]) == (6, 2)


def test_pick_of_more_than_on_hand_is_409_with_what_was_available(
    api: Api, dynamodb: "DynamoDBClient"
) -> None:
    sku = new_sku()
    restock(api, sku, 3)
    before = all_items(dynamodb)
    result = api.call(
        "POST", "/inventory/pick", {"sku": sku, "quantity": 5, "location_code": "A-1"}
    )
    assert result.status == 409
    assert result.body["error"]["code"] == "insufficient_stock"
    assert result.body["error"]["details"] == [{"available": 3, "requested": 5}]
    assert all_items(dynamodb) == before


def test_pick_where_no_record_exists_is_404(api: Api, dynamodb: "DynamoDBClient") -> None:
    sku = new_sku()
    restock(api, sku, 3, "A-1")
    before = all_items(dynamodb)
    result = api.call(
        "POST", "/inventory/pick", {"sku": sku, "quantity": 1, "location_code": "Z-9"}
    )
    assert (result.status, result.body["error"]["code"]) == (404, "not_found")
    assert all_items(dynamodb) == before


def test_transfer_moves_stock_between_locations(api: Api, dynamodb: "DynamoDBClient") -> None:
    sku = new_sku()
    restock(api, sku, 10, "A-1")
    body = {
        "sku": sku,
        "quantity": 4,
        "from_location": "A-1",
        "to_location": "B-2",
        "reference": "MV-1",
    }
    result = api.call("POST", "/inventory/transfer", body)
    assert result.status == 200, result.body
    assert (result.body["source"]["quantity"], result.body["destination"]["quantity"]) == (6, 4)
    assert (result.body["source"]["version"], result.body["destination"]["version"]) == (2, 1)
    assert levels(api, sku) == {"A-1": (6, 2), "B-2": (4, 1)}
    records = {i["sk"]["S"]: i for i in all_items(dynamodb) if i["pk"]["S"] == f"SKU#{sku}"}
    out = records["STOCK#A-1"]["last_movement"]["M"]
    into = records["STOCK#B-2"]["last_movement"]["M"]
    assert (out["type"]["S"], into["type"]["S"]) == ("transfer_out", "transfer_in")
    assert out["transfer_id"]["S"] == into["transfer_id"]["S"]
    assert out["reference"]["S"] == "MV-1"


def test_transfer_to_and_from_unassigned_stock(api: Api) -> None:
    sku = new_sku()
    restock(api, sku, 5, None)
    body = {"sku": sku, "quantity": 5, "from_location": None, "to_location": "A-1"}
    assert api.call("POST", "/inventory/transfer", body).status == 200
    assert levels(api, sku) == {None: (0, 2), "A-1": (5, 1)}


@pytest.mark.parametrize(
    ("quantity", "source", "status", "code"),
    [(11, "A-1", 409, "insufficient_stock"), (1, "Q-7", 404, "not_found")],
)
def test_failed_transfer_changes_nothing(
    api: Api, dynamodb: "DynamoDBClient", quantity: int, source: str, status: int, code: str
) -> None:
    sku = new_sku()
    restock(api, sku, 10, "A-1")
    before = all_items(dynamodb)
    body = {"sku": sku, "quantity": quantity, "from_location": source, "to_location": "B-2"}
    result = api.call("POST", "/inventory/transfer", body)
    assert (result.status, result.body["error"]["code"]) == (status, code)
    assert all_items(dynamodb) == before


def test_transfer_to_the_same_location_is_422(api: Api) -> None:
    body = {"sku": new_sku(), "quantity": 1, "from_location": "A-1", "to_location": "A-1"}
    result = api.call("POST", "/inventory/transfer", body)
    assert result.status == 422
    assert result.body["error"]["code"] == "validation_error"


def test_adjust_sets_the_count_and_reports_the_delta(api: Api, dynamodb: "DynamoDBClient") -> None:
    sku = new_sku()
    restock(api, sku, 10)
    body = {"sku": sku, "location_code": "A-1", "counted_quantity": 7, "reason": "damaged"}
    result = api.call("POST", "/inventory/adjust", body, token="operator")
    assert result.status == 200
    assert (result.body["quantity"], result.body["delta"], result.body["version"]) == (7, -3, 2)
    record = next(
        i
        for i in all_items(dynamodb)
        if i["pk"]["S"] == f"SKU#{sku}" and i["sk"]["S"] == "STOCK#A-1"
    )
    assert record["last_movement"]["M"]["reason"]["S"] == "damaged"


def test_adjust_of_unknown_record_creates_it(api: Api) -> None:
    sku = new_sku()
    body = {"sku": sku, "location_code": "C-3", "counted_quantity": 4, "reason": "found"}
    result = api.call("POST", "/inventory/adjust", body)
    assert (result.status, result.body["delta"], result.body["version"]) == (200, 4, 1)


@pytest.mark.parametrize("how", ["body", "if-match", "weak-if-match"])
def test_stale_version_is_412_and_changes_nothing(
    api: Api, dynamodb: "DynamoDBClient", how: str
) -> None:
    sku = new_sku()
    restock(api, sku, 10)
    restock(api, sku, 1)  # now at version 2
    body: dict[str, Any] = {
        "sku": sku,
        "location_code": "A-1",
        "counted_quantity": 0,
        "reason": "lost",
    }
    headers: list[tuple[str, str]] = []
    if how == "body":
        body["expected_version"] = 1
    else:
        headers = [("If-Match", 'W/"1"' if how == "weak-if-match" else '"1"')]
    before = all_items(dynamodb)
    result = api.call("POST", "/inventory/adjust", body, headers=headers)
    assert (result.status, result.body["error"]["code"]) == (412, "precondition_failed")
    assert all_items(dynamodb) == before
    body.pop("expected_version", None)
    fresh = api.call("POST", "/inventory/adjust", body | {"expected_version": 2})
    assert (fresh.status, fresh.body["quantity"]) == (200, 0)


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({"counted_quantity": -1, "reason": "lost"}, [], "counted_quantity"),
        ({"counted_quantity": 1, "reason": "stolen"}, [], "reason"),
        ({"counted_quantity": 1, "reason": "lost"}, [("If-Match", "abc")], "If-Match"),
        (
            {"counted_quantity": 1, "reason": "lost", "expected_version": 2},
            [("If-Match", '"3"')],
            "expected_version",
        ),
        ({"counted_quantity": 1, "reason": "lost", "delta": 5}, [], "delta"),
    ],
)
def test_bad_adjust_is_422(
    api: Api,
    dynamodb: "DynamoDBClient",
    body: dict[str, Any],
    headers: list[tuple[str, str]],
    field: str,
) -> None:
    before = all_items(dynamodb)
    result = api.call("POST", "/inventory/adjust", {"sku": new_sku()} | body, headers=headers)
    assert (result.status, result.body["error"]["code"]) == (422, "validation_error")
    assert field in [detail["field"] for detail in result.body["error"]["details"]]
    assert all_items(dynamodb) == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/inventory/pick", {"sku": "ABC", "quantity": 0}, "quantity"),
        ("/inventory/pick", {"sku": "ABC", "quantity": 1, "extra": 1}, "extra"),
        ("/inventory/transfer", {"sku": "ABC", "quantity": 1, "to_location": "B"}, "from_location"),
        (
            "/inventory/transfer",
            {"sku": "abc", "quantity": 1, "from_location": "A", "to_location": "B"},
            "sku",
        ),
    ],
)
def test_bad_movement_bodies_are_422(
    api: Api, dynamodb: "DynamoDBClient", path: str, body: dict[str, Any], field: str
) -> None:
    before = all_items(dynamodb)
    result = api.call("POST", path, body)
    assert (result.status, result.body["error"]["code"]) == (422, "validation_error")
    assert field in [detail["field"] for detail in result.body["error"]["details"]]
    assert all_items(dynamodb) == before


@pytest.mark.parametrize("path", ["/inventory/pick", "/inventory/transfer", "/inventory/adjust"])
def test_malformed_json_is_400(api: Api, path: str) -> None:
    result = api.call("POST", path, raw_body=b'{"sku": ')
    assert (result.status, result.body["error"]["code"]) == (400, "bad_request")
