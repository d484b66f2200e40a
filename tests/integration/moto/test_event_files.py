"""Every function has a sample event in events/, and replaying it gives the expected status."""

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3
import pytest

from tests.support.event_files import event_files, function_for, load_event
from tests.support.event_samples import seed_event_targets
from tests.support.projections import every_line
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import Template
from warehouse_inventory.dal.clients import dynamodb_client
from warehouse_inventory.dal.token_repository import DynamoDBTokenRepository
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.paging import Page
from warehouse_inventory.domain.reports import LocationLine
from warehouse_inventory.domain.tokens import ApiToken, secret_hash
from warehouse_inventory.settings import get_settings
from warehouse_inventory.wiring import audit_repository, report_service

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

EXPECTED_STATUS = {
    "restock.json": 201,
    "pick.json": 200,
    "transfer.json": 200,
    "adjust.json": 200,
    "batch_movements.json": 200,
    "put_item.json": 200,  # WIDGET1's item exists since its first restock: replaced
    "get_item.json": 200,
    "list_items.json": 200,
    "delete_item.json": 204,
    "list_movements.json": 200,
    "low_stock_report.json": 200,
    "locations_report.json": 200,
    "get_inventory.json": 200,
    "list_inventory.json": 200,
    "health.json": 200,
    "docs.json": 200,
    "create_token.json": 201,
    "list_tokens.json": 200,
    "revoke_token.json": 204,
    "me.json": 200,
}
# restock first, so the GET events find the stock it created
REPLAY_ORDER = list(EXPECTED_STATUS)
NON_HTTP_EVENTS = ["stream_relay.json", "audit_consumer.json", "projector.json"]
SAMPLE_SECRET = "wh_example-local-admin-not-a-real-token"  # carried by events/authorizer.json


@pytest.fixture(scope="module", autouse=True)
def sample_tokens(dynamodb: "DynamoDBClient") -> None:
    """What the sample events refer to: the token and item they revoke and delete, and the
    operator token of events/authorizer.json."""
    settings = get_settings()
    seed_event_targets(dynamodb_client(), settings.table_name, settings.tokens_table_name)
    sample = ApiToken("tok_0123456789abcdef", "dock-scanner-1", Role.OPERATOR, datetime.now(UTC))
    repository = DynamoDBTokenRepository(dynamodb_client(), settings.tokens_table_name)
    repository.add(sample, secret_hash(SAMPLE_SECRET))


def test_api_events_carry_their_function_s_route(template: Template) -> None:
    for name in EXPECTED_STATUS:
        event = load_event(name)
        routes = {(route.method, route.path) for route in function_for(template, name).routes}
        assert (event["httpMethod"], event["resource"]) in routes, name


def test_every_function_has_an_event_file_and_each_file_a_function(template: Template) -> None:
    names = {path.name for path in event_files()}
    covered = {function_for(template, name).logical_id for name in names}
    assert covered == {spec.logical_id for spec in template.functions()}
    assert names == set(EXPECTED_STATUS) | {"authorizer.json"} | set(NON_HTTP_EVENTS)
    assert len(names) == len(covered)  # one event file per function


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


def test_stream_event_relays_each_stock_change_to_the_audit_queue(template: Template) -> None:
    event = load_event("stream_relay.json")
    response = invoke(function_for(template, "stream_relay.json"), event)
    assert response == {"batchItemFailures": []}
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="AuditQueue")["QueueUrl"]
    bodies = [
        json.loads(message["Body"])
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    ]
    assert sorted((b["type"], b["delta"], b["quantity_after"]) for b in bodies) == [
        ("pick", -2, 3),
        ("restock", 5, 5),
    ]


def test_queue_event_writes_the_audit_log(template: Template) -> None:
    event = load_event("audit_consumer.json")
    response = invoke(function_for(template, "audit_consumer.json"), event)
    assert response == {"batchItemFailures": []}
    for record in event["Records"]:
        movement_id = json.loads(record["body"])["movement_id"]
        assert audit_repository().exists(movement_id)


def report_locations(cursor: str | None) -> Page[LocationLine, str]:
    return report_service().locations(100, cursor)


def test_stream_event_projects_totals_and_location_summaries(template: Template) -> None:
    event = load_event("projector.json")
    response = invoke(function_for(template, "projector.json"), event)
    assert response == {"batchItemFailures": []}
    lines = [line for line in every_line(report_locations) if line.location_code == "C-03"]
    assert [(line.sku_count, line.total_quantity) for line in lines] == [(1, 3)]
