"""Every DynamoDB and SQS call a function really makes is allowed by its own Policies in
template.yaml.

moto enforces no IAM, so a missing grant would pass every other test and fail only in AWS. Here
each call is attributed to the function being invoked and checked against that function's grants.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api
from tests.support.audit_pipeline import drain, stock_image, stream_record
from tests.support.iam_policies import Grant, allows, template_grants
from tests.support.lambda_events import sqs_record
from warehouse_devstack.gateway import rest_api, token_authorizer
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import FunctionSpec, Template
from warehouse_inventory.dal.clients import dynamodb_client, sqs_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


@dataclass
class CallLog:
    """(function, IAM action, resource) of every AWS call, by the function that made it."""

    current: list[str] = field(default_factory=list)
    calls: set[tuple[str, str, str]] = field(default_factory=set)

    def record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        function = self.current[-1] if self.current else "<test>"
        self.calls |= {(function, action, resource) for action, resource in needed(model, params)}

    def record_sqs(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        function = self.current[-1] if self.current else "<test>"
        self.calls.add((function, *sqs_needed(model, params)))

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        self.current.append(spec.logical_id)
        try:
            return invoke(spec, event)
        finally:
            self.current.pop()


def needed(model: Any, params: dict[str, Any]) -> list[Grant]:
    """The IAM (action, resource) pairs a DynamoDB operation needs, resources by table name."""
    operation: str = model.name
    if operation == "TransactWriteItems":
        return [
            (f"dynamodb:{TRANSACT_ACTIONS[kind]}", request[kind]["TableName"])
            for request in params["TransactItems"]
            for kind in request
        ]
    if operation == "BatchWriteItem":
        return [
            (f"dynamodb:{'PutItem' if 'PutRequest' in request else 'DeleteItem'}", table)
            for table, requests in params["RequestItems"].items()
            for request in requests
        ]
    if operation == "BatchGetItem":
        return [("dynamodb:BatchGetItem", table) for table in params["RequestItems"]]
    index = f"/index/{params['IndexName']}" if params.get("IndexName") else ""
    return [(f"dynamodb:{operation}", params["TableName"] + index)]


def sqs_needed(model: Any, params: dict[str, Any]) -> Grant:
    """The IAM (action, resource) an SQS operation needs (a batch needs its single action)."""
    action = model.name.removesuffix("Batch")
    return f"sqs:{action}", str(params["QueueUrl"]).rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def call_log(api: Api, monkeypatch_module: pytest.MonkeyPatch) -> Iterator[CallLog]:
    log = CallLog()
    for module in [rest_api, token_authorizer]:
        monkeypatch_module.setattr(module, "invoke", log.invoke)
    events, sqs_events = dynamodb_client().meta.events, sqs_client().meta.events
    events.register("before-parameter-build.dynamodb", log.record)
    sqs_events.register("before-parameter-build.sqs", log.record_sqs)
    yield log
    events.unregister("before-parameter-build.dynamodb", log.record)
    sqs_events.unregister("before-parameter-build.sqs", log.record_sqs)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def exercise(api: Api) -> None:
    """Every route once through its main paths (success, not found, conflict, replay)."""
    sku, other = "P" + uuid.uuid4().hex[:10].upper(), "Q" + uuid.uuid4().hex[:10].upper()
    third = "R" + uuid.uuid4().hex[:10].upper()

    def call(expected: int, method: str, path: str, body: Any = None, **options: Any) -> Any:
        result = api.call(method, path, body, **options)
        assert result.status == expected, (method, path, result.body)
        return result.body

    movement = {"sku": sku, "quantity": 5, "location_code": "A-1"}
    key = [("Idempotency-Key", uuid.uuid4().hex)]
    call(201, "POST", "/inventory/restock", movement, headers=key)
    call(201, "POST", "/inventory/restock", movement, headers=key)  # replayed
    call(201, "POST", "/inventory/restock", movement | {"location_code": "B-2"})
    call(200, "POST", "/inventory/pick", {"sku": sku, "quantity": 1, "location_code": "A-1"})
    transfer = {"sku": sku, "quantity": 1, "from_location": "A-1", "to_location": "C-3"}
    call(200, "POST", "/inventory/transfer", transfer)
    adjust = {"sku": sku, "location_code": "B-2", "counted_quantity": 4, "reason": "cycle_count"}
    call(200, "POST", "/inventory/adjust", adjust)
    batch = {
        "movements": [
            {"type": "restock", "sku": third, "quantity": 2, "location_code": "A-1"},
            {"type": "restock", "sku": sku, "quantity": 2, "location_code": "E-5"},
            {"type": "pick", "sku": sku, "quantity": 1, "location_code": "A-1"},
            transfer | {"type": "transfer", "from_location": "C-3", "to_location": "D-4"},
            adjust | {"type": "adjust", "counted_quantity": 3},
        ]
    }
    call(200, "POST", "/inventory/movements", batch, headers=[("Idempotency-Key", sku)])
    too_many = {"type": "pick", "sku": sku, "quantity": 1_000_000, "location_code": "A-1"}
    call(409, "POST", "/inventory/movements", {"movements": [too_many]})
    call(200, "GET", f"/inventory/{sku}")
    call(404, "GET", "/inventory/NOSUCHSKU1")
    page = call(200, "GET", "/inventory", query="limit=1")
    call(200, "GET", "/inventory", query=f"limit=1&cursor={page['next_cursor']}")
    call(200, "GET", "/inventory", query="location_code=A-1")
    call(201, "PUT", f"/items/{other}", {"name": "Other"})
    call(200, "PUT", f"/items/{other}", {"name": "Other", "reorder_point": 2})
    call(200, "GET", f"/items/{other}")
    call(200, "GET", "/items", query="limit=1")
    call(409, "DELETE", f"/items/{sku}")  # stock remains
    call(204, "DELETE", f"/items/{other}")
    token = call(201, "POST", "/tokens", {"name": "policy-check", "role": "viewer"})
    call(200, "GET", "/tokens")
    call(204, "DELETE", f"/tokens/{token['token_id']}")
    call(200, "GET", "/health", token=None)


def exercise_the_audit_pipeline(call_log: CallLog, template: Template) -> None:
    """The relay sends a movement and dead-letters a record that does not parse; the consumer
    writes the movement."""
    sku = "P" + uuid.uuid4().hex[:10].upper()
    good = stream_record(1, "INSERT", stock_image(sku, 5, 1), None)
    malformed = stream_record(2, "MODIFY", stock_image(sku, 4, 2), stock_image(sku, 5, 1))
    del malformed["dynamodb"]["NewImage"]["last_movement"]
    relay = call_log.invoke(
        template.function("StreamRelayFunction"), {"Records": [good, malformed]}
    )
    assert relay == {"batchItemFailures": []}
    (message,) = drain("AuditQueue")
    consumer = call_log.invoke(
        template.function("AuditConsumerFunction"), {"Records": [sqs_record(message["Body"])]}
    )
    assert consumer == {"batchItemFailures": []}


def test_every_call_is_granted_to_the_function_that_makes_it(
    api: Api, call_log: CallLog, template: Template
) -> None:
    exercise(api)
    exercise_the_audit_pipeline(call_log, template)
    grants = template_grants(template)

    functions = {function for function, _, _ in call_log.calls}
    assert {"AuthorizerFunction", "RestockFunction", "RevokeTokenFunction"} <= functions
    assert {
        ("StreamRelayFunction", "sqs:SendMessage", "AuditQueue"),
        ("StreamRelayFunction", "sqs:SendMessage", "RelayDeadLetterQueue"),
        ("AuditConsumerFunction", "dynamodb:PutItem", "AuditTable"),
    } <= call_log.calls
    denied = sorted(
        (function, action, resource)
        for function, action, resource in call_log.calls
        if function != "<test>" and not allows(grants[function], action, resource)
    )
    assert denied == []


def test_call_log_sees_a_missing_grant(dynamodb: "DynamoDBClient") -> None:
    """The check itself: a Scan the restock function was never granted is reported."""

    class Model:
        name = "Scan"

    ((action, resource),) = needed(Model(), {"TableName": "InventoryTable"})
    assert not allows({("dynamodb:UpdateItem", "InventoryTable")}, action, resource)
    assert allows(
        {("dynamodb:Query", "InventoryTable/index/*")},
        "dynamodb:Query",
        "InventoryTable/index/by_type",
    )
