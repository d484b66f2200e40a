"""A replayed event is a new request: `sam local invoke -e events/pick.json` twice picks twice.

The sample events carry a fixed API Gateway `requestId`; each invocation has its own Lambda
`aws_request_id` (the local runtime, like Lambda and `sam local invoke`, gives a fresh one).
"""

import copy
import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.event_files import load_event
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import Template
from warehouse_inventory.domain.caller import ANONYMOUS, RequestMeta
from warehouse_inventory.schemas.inventory import RestockIn
from warehouse_inventory.wiring import inventory_service

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def pick_event(sku: str, key: str | None) -> dict[str, Any]:
    """events/pick.json for `sku`, with the given Idempotency-Key (None: without one)."""
    event = copy.deepcopy(load_event("pick.json"))
    event["body"] = json.dumps({"sku": sku, "quantity": 2, "location_code": "A-01"})
    for headers in (event["headers"], event["multiValueHeaders"]):
        headers.pop("Idempotency-Key")
        if key is not None:
            headers["Idempotency-Key"] = key if headers is event["headers"] else [key]
    return event


@pytest.fixture
def stocked_sku(dynamodb: "DynamoDBClient") -> str:
    sku = f"REPLAY{uuid.uuid4().hex[:8].upper()}"
    restock = RestockIn(sku=sku, quantity=10, location_code="A-01")
    inventory_service().restock(restock, RequestMeta(ANONYMOUS, f"setup-{sku}"))
    return sku


def test_the_same_event_invoked_twice_without_a_key_picks_twice(
    template: Template, stocked_sku: str
) -> None:
    event = pick_event(stocked_sku, key=None)
    pick = template.function("PickFunction")

    first, second = invoke(pick, event), invoke(pick, event)

    assert (first["statusCode"], second["statusCode"]) == (200, 200)
    levels = [json.loads(response["body"]) for response in (first, second)]
    assert [(level["quantity"], level["version"]) for level in levels] == [(8, 2), (6, 3)]


def test_the_same_event_invoked_twice_with_a_key_picks_once_and_replays(
    template: Template, stocked_sku: str
) -> None:
    event = pick_event(stocked_sku, key=f"{stocked_sku}-line-1")
    pick = template.function("PickFunction")

    first, second = invoke(pick, event), invoke(pick, event)

    assert (first["statusCode"], second["statusCode"]) == (200, 200)
    assert json.loads(second["body"]) == json.loads(first["body"])
    assert (json.loads(first["body"])["quantity"], second["headers"]["idempotent-replayed"]) == (
        8,
        "true",
    )
    level = inventory_service().sku_stock(stocked_sku).levels[0]
    assert (level.quantity, level.version) == (8, 2)
