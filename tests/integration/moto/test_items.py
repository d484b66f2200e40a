"""Item master data: create/replace with versions and If-Match, read, list, delete rules."""

import uuid
from typing import TYPE_CHECKING

import pytest

from tests.support.api import Api, all_items

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

WIDGET = {"name": "Widget", "description": "A blue widget", "unit": "box", "reorder_point": 5}


def new_sku() -> str:
    return "I" + uuid.uuid4().hex[:12].upper()


def test_put_creates_then_replaces(api: Api) -> None:
    sku = new_sku()
    created = api.call("PUT", f"/items/{sku}", WIDGET)
    assert created.status == 201
    assert created.body | {"created_at": None, "updated_at": None} == {
        "sku": sku,
        **WIDGET,
        "version": 1,
        "created_at": None,
        "updated_at": None,
    }
    assert created.headers["etag"] == '"1"'
    replaced = api.call("PUT", f"/items/{sku}", {"name": "Widget v2"})
    assert replaced.status == 200
    assert (replaced.body["name"], replaced.body["version"]) == ("Widget v2", 2)
    assert (
        replaced.body["description"],
        replaced.body["unit"],
        replaced.body["reorder_point"],
    ) == (None, "each", 0)
    assert replaced.body["created_at"] == created.body["created_at"]


def test_if_match_guards_the_replace(api: Api, dynamodb: "DynamoDBClient") -> None:
    sku = new_sku()
    api.call("PUT", f"/items/{sku}", WIDGET)
    api.call("PUT", f"/items/{sku}", WIDGET)  # version 2
    before = all_items(dynamodb)
    stale = api.call("PUT", f"/items/{sku}", WIDGET, headers=[("If-Match", '"1"')])
    assert (stale.status, stale.body["error"]["code"]) == (412, "precondition_failed")
    assert all_items(dynamodb) == before
    fresh = api.call("PUT", f"/items/{sku}", WIDGET, headers=[("If-Match", '"2"')])
    assert (fresh.status, fresh.body["version"]) == (200, 3)


def test_if_match_on_a_missing_item_is_412(api: Api) -> None:
    result = api.call("PUT", f"/items/{new_sku()}", WIDGET, headers=[("If-Match", '"1"')])
    assert result.status == 412


def test_restock_of_an_unknown_sku_creates_its_item(api: Api) -> None:
    sku = new_sku()
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 1})
    item = api.call("GET", f"/items/{sku}", token="viewer")
    assert item.status == 200
    assert (item.body["name"], item.body["unit"], item.body["version"]) == (sku, "each", 1)


def test_get_unknown_item_is_404(api: Api) -> None:
    result = api.call("GET", f"/items/{new_sku()}")
    assert (result.status, result.body["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "description": "d" * 2001}, "description"),
        ({"name": "ok", "unit": "u" * 21}, "unit"),
        ({"name": "ok", "reorder_point": -1}, "reorder_point"),
        ({"name": "ok", "version": 9}, "version"),
    ],
)
def test_bad_item_bodies_are_422(
    api: Api, dynamodb: "DynamoDBClient", body: dict[str, object], field: str
) -> None:
    before = all_items(dynamodb)
    result = api.call("PUT", f"/items/{new_sku()}", body)
    assert (result.status, result.body["error"]["code"]) == (422, "validation_error")
    assert field in [detail["field"] for detail in result.body["error"]["details"]]
    assert all_items(dynamodb) == before


def test_list_pages_walk_every_item_once(api: Api) -> None:
    skus = sorted(new_sku() for _ in range(5))
    for sku in skus:
        api.call("PUT", f"/items/{sku}", WIDGET)
    seen: list[str] = []
    cursor = None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", "/items", query=query, token="viewer")
        assert page.status == 200
        seen += [item["sku"] for item in page.body["items"]]
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert [sku for sku in seen if sku in skus] == skus
    assert len(seen) == len(set(seen))


def test_inventory_cursor_is_refused_by_items(api: Api) -> None:
    for _ in range(2):
        api.call("POST", "/inventory/restock", {"sku": new_sku(), "quantity": 1})
    cursor = api.call("GET", "/inventory", query="limit=1").body["next_cursor"]
    result = api.call("GET", "/items", query=f"limit=1&cursor={cursor}")
    assert (result.status, result.body["error"]["code"]) == (400, "invalid_cursor")


def test_delete_is_refused_while_stock_remains(api: Api, dynamodb: "DynamoDBClient") -> None:
    sku = new_sku()
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 2, "location_code": "A-1"})
    before = all_items(dynamodb)
    result = api.call("DELETE", f"/items/{sku}")
    assert (result.status, result.body["error"]["code"]) == (409, "conflict")
    assert all_items(dynamodb) == before
    api.call("POST", "/inventory/pick", {"sku": sku, "quantity": 2, "location_code": "A-1"})
    assert api.call("DELETE", f"/items/{sku}").status == 204
    assert api.call("GET", f"/items/{sku}").status == 404
    assert api.call("DELETE", f"/items/{sku}").status == 404
