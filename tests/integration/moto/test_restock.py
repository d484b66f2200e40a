"""POST /inventory/restock through its handler: one write, response from what the write returned."""

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api, all_items
from tests.support.event_files import load_event
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import Template
from warehouse_inventory.dal.clients import dynamodb_client
from warehouse_inventory.dal.dynamodb import from_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def new_sku() -> str:
    return "R" + uuid.uuid4().hex[:12].upper()


@pytest.fixture
def dynamodb_calls(dynamodb: "DynamoDBClient") -> Iterator[list[str]]:
    """The DynamoDB operations the handlers' own client makes (botocore event hook)."""
    calls: list[str] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        if params.get("TableName") == "InventoryTable":  # not the authorizer's token lookup
            calls.append(model.name)

    events = dynamodb_client().meta.events
    events.register("before-parameter-build.dynamodb", record)
    yield calls
    events.unregister("before-parameter-build.dynamodb", record)


def stored(client: "DynamoDBClient", sku: str, sk: str) -> dict[str, Any]:
    item = client.get_item(
        TableName="InventoryTable", Key={"pk": {"S": f"SKU#{sku}"}, "sk": {"S": sk}}
    )["Item"]
    return from_item(item)


def test_restock_returns_the_level_after(api: Api) -> None:
    sku = new_sku()
    first = api.call(
        "POST", "/inventory/restock", {"sku": sku, "quantity": 4, "location_code": "A-1"}
    )
    second = api.call(
        "POST", "/inventory/restock", {"sku": sku, "quantity": 6, "location_code": "A-1"}
    )
    assert (first.status, second.status) == (201, 201)
    assert (second.body["quantity"], second.body["version"]) == (10, 2)
    assert second.body["id"] == first.body["id"]
    assert second.body["location_code"] == "A-1"
    assert second.body["updated_at"].endswith("Z")


def test_every_restock_writes_the_stock_then_ensures_the_item_and_reads_nothing(
    api: Api, dynamodb: "DynamoDBClient", dynamodb_calls: list[str]
) -> None:
    sku = new_sku()
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 1})
    assert dynamodb_calls == ["UpdateItem", "UpdateItem"]  # stock, then the item
    dynamodb_calls.clear()
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 1})
    assert dynamodb_calls == ["UpdateItem", "UpdateItem"]  # the item may have been deleted
    item = stored(dynamodb, sku, "ITEM")
    assert (item["name"], item["unit"], item["reorder_point"], item["version"]) == (
        sku,
        "each",
        0,
        1,
    )


def test_write_carries_its_movement(api: Api, dynamodb: "DynamoDBClient") -> None:
    sku = new_sku()
    response = api.call(
        "POST",
        "/inventory/restock",
        {"sku": sku, "quantity": 3, "location_code": "B-2", "reference": "PO-77"},
    )
    record = stored(dynamodb, sku, "STOCK#B-2")
    movement = record["last_movement"]
    assert movement["type"] == "restock"
    assert movement["actor"] == "test-admin"  # the token's name, from the authorizer context
    assert movement["reference"] == "PO-77"
    assert movement["request_id"] == response.headers["x-request-id"]
    assert (record["quantity"], record["version"]) == (3, 1)


def test_actor_comes_from_the_authorizer_context(
    template: Template, dynamodb: "DynamoDBClient"
) -> None:
    """The seam the security work plugs into: the principal is read from the authorizer context."""
    sku = new_sku()
    event = load_event("restock.json")
    event["body"] = f'{{"sku": "{sku}", "quantity": 2, "location_code": "C-3"}}'
    event["requestContext"]["authorizer"] = {
        "token_id": "t-9",
        "name": "dock-scanner",
        "role": "operator",
    }
    response = invoke(template.function("RestockFunction"), event)
    assert response["statusCode"] == 201
    assert stored(dynamodb, sku, "STOCK#C-3")["last_movement"]["actor"] == "dock-scanner"


def test_unassigned_location_is_its_own_record(api: Api, dynamodb: "DynamoDBClient") -> None:
    sku = new_sku()
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 2, "location_code": None})
    api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 5, "location_code": "A-1"})
    stock = api.call("GET", f"/inventory/{sku}")
    assert stock.status == 200
    assert stock.body["total_quantity"] == 7
    assert sorted(
        (lvl["location_code"] or "", lvl["quantity"]) for lvl in stock.body["levels"]
    ) == [
        ("", 2),
        ("A-1", 5),
    ]
    stock_records = [i for i in all_items(dynamodb) if i["pk"]["S"] == f"SKU#{sku}"]
    assert len(stock_records) == 3  # two stock records and the item
