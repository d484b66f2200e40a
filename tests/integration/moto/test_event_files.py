"""Every function has a sample event in events/, and replaying it gives the expected status."""

from typing import TYPE_CHECKING

import pytest

from tests.conftest import event_files, load_event
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import FunctionSpec, Template

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

EXPECTED_STATUS = {
    "restock.json": 201,
    "get_inventory.json": 200,
    "list_inventory.json": 200,
    "health.json": 200,
}
# restock first, so the GET events find the stock it created
REPLAY_ORDER = ["restock.json", "get_inventory.json", "list_inventory.json", "health.json"]


def function_for(template: Template, event_name: str) -> FunctionSpec:
    event = load_event(event_name)
    return next(
        spec
        for spec in template.functions()
        for route in spec.routes
        if (route.method, route.path) == (event["httpMethod"], event["resource"])
    )


def test_every_function_has_an_event_file_and_each_file_a_function(template: Template) -> None:
    names = {path.name for path in event_files()}
    covered = {function_for(template, name).logical_id for name in names}
    assert covered == {spec.logical_id for spec in template.functions()}
    assert names == set(EXPECTED_STATUS)


@pytest.mark.parametrize("event_name", REPLAY_ORDER)
def test_event_file_replays(
    event_name: str, template: Template, dynamodb: "DynamoDBClient"
) -> None:
    event = load_event(event_name)
    response = invoke(function_for(template, event_name), event)
    assert response["statusCode"] == EXPECTED_STATUS[event_name], response["body"]
    assert response["headers"]["x-request-id"] == event["requestContext"]["requestId"]
