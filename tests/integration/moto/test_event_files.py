"""Every function has a sample event in events/, and replaying it gives the expected status."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from tests.conftest import event_files, load_event
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import FunctionSpec, Template
from warehouse_inventory.access import Role
from warehouse_inventory.aws_clients import dynamodb_client
from warehouse_inventory.dynamodb_token_repository import DynamoDBTokenRepository
from warehouse_inventory.items import ItemFields
from warehouse_inventory.services import item_service
from warehouse_inventory.tokens import ApiToken, secret_hash

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

EXPECTED_STATUS = {
    "restock.json": 201,
    "pick.json": 200,
    "transfer.json": 200,
    "adjust.json": 200,
    "put_item.json": 200,  # WIDGET1's item exists since its first restock: replaced
    "get_item.json": 200,
    "list_items.json": 200,
    "delete_item.json": 204,
    "get_inventory.json": 200,
    "list_inventory.json": 200,
    "health.json": 200,
    "docs.json": 200,
    "create_token.json": 201,
    "list_tokens.json": 200,
    "revoke_token.json": 204,
}
# restock first, so the GET events find the stock it created
REPLAY_ORDER = list(EXPECTED_STATUS)
SAMPLE_TOKEN_ID = "tok_00000000deadbeef"  # revoked by events/revoke_token.json
SAMPLE_SECRET = "wh_example-not-a-real-token"  # carried by events/authorizer.json


@pytest.fixture(scope="module", autouse=True)
def sample_tokens(dynamodb: "DynamoDBClient") -> None:
    """The tokens the sample events refer to."""
    repository = DynamoDBTokenRepository(dynamodb_client(), "TokensTable")
    now = datetime.now(UTC)
    repository.add(ApiToken(SAMPLE_TOKEN_ID, "old-scanner", Role.OPERATOR, now), secret_hash("x"))
    sample = ApiToken("tok_0123456789abcdef", "dock-scanner-1", Role.OPERATOR, now)
    repository.add(sample, secret_hash(SAMPLE_SECRET))
    item_service().put("OBSOLETE1", ItemFields("Old part", None, "each", 0), None)  # deleted


def function_for(template: Template, event_name: str) -> FunctionSpec:
    event = load_event(event_name)
    if event.get("type") == "TOKEN":
        authorizer = template.authorizer()
        assert authorizer is not None
        return template.function(authorizer.function_id)
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
    assert names == set(EXPECTED_STATUS) | {"authorizer.json"}


@pytest.mark.parametrize("event_name", REPLAY_ORDER)
def test_event_file_replays(
    event_name: str, template: Template, dynamodb: "DynamoDBClient"
) -> None:
    event = load_event(event_name)
    response = invoke(function_for(template, event_name), event)
    assert response["statusCode"] == EXPECTED_STATUS[event_name], response["body"]
    assert response["headers"]["x-request-id"] == event["requestContext"]["requestId"]


def test_authorizer_event_replays_to_a_role_policy(template: Template) -> None:
    event = load_event("authorizer.json")
    response = invoke(function_for(template, "authorizer.json"), event)
    assert response["principalId"] == "tok_0123456789abcdef"
    assert response["context"] == {
        "token_id": "tok_0123456789abcdef",
        "name": "dock-scanner-1",
        "role": "operator",
    }
    resources = response["policyDocument"]["Statement"][0]["Resource"]
    assert event["methodArn"] in resources
