"""A client's retry with the same Idempotency-Key after an uncertain outcome never applies the
movement twice (docs/idempotency.md), through the API and DynamoDB Local.

The write lands, then the handler's own DynamoDB client sees a failure (`reach_then`, as in
test_faults.py) and the client gets a 503; or the function is killed between the write and
Powertools' `save_success`, which leaves the key's record in progress until its expiry. Either
way the retry runs the movement again, and the stock write must refuse it and answer the level.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from tests.support.api import Api, ApiResult
from tests.support.dynamodb_local import LocalDynamo, fresh_sku, get_record, stream_records_for
from tests.support.fault_injection import INTERNAL_ERROR, THROTTLED, Injector, reach_then
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.template import Template
from warehouse_inventory.dal import keys
from warehouse_inventory.dal.clients import dynamodb_client
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.caller import ANONYMOUS, RequestMeta
from warehouse_inventory.schemas.inventory import RestockIn
from warehouse_inventory.settings import get_settings
from warehouse_inventory.wiring import inventory_service, token_service

pytestmark = pytest.mark.dynamodb_local

A, B = "A-1", "B-2"
START = {A: 10, B: 1}


@dataclass(frozen=True)
class Case:
    path: str
    body: dict[str, Any]
    status: int
    operation: str
    after: dict[str, int]
    """Quantities once the movement applied (from START)."""
    delta: int | None = None


CASES = {
    "restock": Case(
        "/inventory/restock", {"quantity": 2, "location_code": A}, 201, "UpdateItem", {A: 12}
    ),
    "pick": Case("/inventory/pick", {"quantity": 2, "location_code": A}, 200, "UpdateItem", {A: 8}),
    "adjust": Case(
        "/inventory/adjust",
        {"counted_quantity": 2, "location_code": A, "reason": "cycle_count"},
        200,
        "UpdateItem",
        {A: 2},
        delta=-8,
    ),
    "transfer": Case(
        "/inventory/transfer",
        {"quantity": 2, "from_location": A, "to_location": B},
        200,
        "TransactWriteItems",
        {A: 8, B: 3},
    ),
}


class FunctionKilled(BaseException):
    """Lambda ending the invocation (its timeout): no `except Exception` after it runs, so
    Powertools neither saves the response nor deletes the in-progress record."""


def killed(request: AWSPreparedRequest) -> AWSResponse:
    raise FunctionKilled


@dataclass
class Movement:
    api: Api
    sku: str
    case: Case
    key: str

    def send(self) -> ApiResult:
        headers = [("Idempotency-Key", self.key)]
        body = {"sku": self.sku} | self.case.body
        return self.api.call("POST", self.case.path, body, token="operator", headers=headers)

    def quantities(self, local: LocalDynamo) -> dict[str, tuple[int, int]]:
        """(quantity, version) of each record the movement touches."""
        found = {at: get_record(local, keys.stock_key(self.sku, at)) for at in self.case.after}
        return {at: (r["quantity"], r["version"]) for at, r in found.items() if r is not None}

    def streamed(self, local: LocalDynamo) -> list[int]:
        return [
            len(stream_records_for(local, keys.stock_key(self.sku, at))) for at in self.case.after
        ]


@pytest.fixture
def api(template: Template, local_dynamo: LocalDynamo) -> Api:
    secret = token_service().issue("retry-operator", Role.OPERATOR).secret
    return Api(ApiGateway(template), {Role.OPERATOR: secret})


def stocked(api: Api, kind: str) -> Movement:
    """A fresh SKU with START's stock, and the movement `kind` on it with a fresh key."""
    sku = fresh_sku()
    for location, quantity in START.items():
        request = RestockIn(sku=sku, quantity=quantity, location_code=location)
        inventory_service().restock(request, RequestMeta(ANONYMOUS, f"{sku}-setup-{location}"))
    return Movement(api, sku, CASES[kind], key=str(uuid.uuid4()))


def restock_one_more(sku: str) -> None:
    """Another client's restock of 1 at A, landing between the failure and the retry."""
    request = RestockIn(sku=sku, quantity=1, location_code=A)
    inventory_service().restock(request, RequestMeta(ANONYMOUS, f"{sku}-{uuid.uuid4()}"))


def assert_answered_once(
    movement: Movement, answer: ApiResult, local: LocalDynamo, meanwhile: int
) -> None:
    """The retry's answer is the level as the records are (the movement applied once, plus
    `meanwhile` units restocked at A afterwards), with the movement's own delta."""
    expected = {
        at: (quantity + (meanwhile if at == A else 0), 2 + (meanwhile if at == A else 0))
        for at, quantity in movement.case.after.items()
    }
    assert movement.quantities(local) == expected
    assert movement.streamed(local) == [2 + (meanwhile if at == A else 0) for at in expected]
    assert answer.status == movement.case.status, answer.body
    levels = (
        {A: answer.body["source"], B: answer.body["destination"]}
        if "source" in answer.body
        else {A: answer.body}
    )
    assert {at: (level["quantity"], level["version"]) for at, level in levels.items()} == expected
    if movement.case.delta is not None:
        assert answer.body["delta"] == movement.case.delta


@pytest.mark.parametrize("meanwhile", [0, 1], ids=["alone", "another-write-meanwhile"])
@pytest.mark.parametrize("kind", list(CASES))
def test_a_retry_after_a_503_whose_write_landed_is_refused_by_the_write(
    api: Api, local_dynamo: LocalDynamo, kind: str, meanwhile: int
) -> None:
    movement = stocked(api, kind)
    # the write lands and the client sees a 500; the SDK's two resends are throttled
    faults = [reach_then(INTERNAL_ERROR), THROTTLED, THROTTLED]
    Injector.on(dynamodb_client(), movement.case.operation, *faults)

    first = movement.send()
    assert (first.status, first.body["error"]["code"]) == (503, "service_unavailable")
    if meanwhile:
        restock_one_more(movement.sku)
    retry = movement.send()

    assert_answered_once(movement, retry, local_dynamo, meanwhile)


@pytest.fixture
def transaction_errors() -> Iterator[list[str]]:
    """The error codes DynamoDB answers the handlers' TransactWriteItems with, in order."""
    codes: list[str] = []

    def record(parsed: dict[str, Any], **_: Any) -> None:
        if "Error" in parsed:
            codes.append(parsed["Error"].get("Code", ""))

    client = dynamodb_client()
    client.meta.events.register("after-call.dynamodb.TransactWriteItems", record)
    yield codes
    client.meta.events.unregister("after-call.dynamodb.TransactWriteItems", record)


def test_a_transfer_retry_within_10_minutes_is_recognised_by_its_token(
    api: Api, local_dynamo: LocalDynamo, transaction_errors: list[str]
) -> None:
    """Same ClientRequestToken, other parameters (timestamps, request id): DynamoDB answers
    IdempotentParameterMismatch, which means the transfer applied."""
    movement = stocked(api, "transfer")
    faults = [reach_then(INTERNAL_ERROR), THROTTLED, THROTTLED]
    Injector.on(dynamodb_client(), "TransactWriteItems", *faults)

    assert movement.send().status == 503
    transaction_errors.clear()
    retry = movement.send()

    assert transaction_errors == ["IdempotentParameterMismatchException"]
    assert_answered_once(movement, retry, local_dynamo, meanwhile=0)


def expire_in_progress_records(local: LocalDynamo) -> None:
    """What the passing of the killed invocation's remaining time does to its key's record."""
    table = get_settings().idempotency_table_name
    for record in local.client.scan(TableName=table)["Items"]:
        if record.get("status", {}).get("S") == "INPROGRESS":
            local.client.update_item(
                TableName=table,
                Key={"id": record["id"]},
                UpdateExpression="SET in_progress_expiration = :past",
                ExpressionAttributeValues={":past": {"N": "1"}},
            )


@pytest.fixture
def no_record_left_in_progress(local_dynamo: LocalDynamo) -> Iterator[None]:
    yield
    expire_in_progress_records(local_dynamo)


@pytest.mark.parametrize("kind", list(CASES))
def test_a_retry_after_the_function_died_between_write_and_save_is_refused_by_the_write(
    api: Api, local_dynamo: LocalDynamo, kind: str, no_record_left_in_progress: None
) -> None:
    movement = stocked(api, kind)
    Injector.on(dynamodb_client(), movement.case.operation, reach_then(killed))

    assert movement.send().status == 500  # what Mangum makes of it; API Gateway says 504
    during = movement.send()
    assert (during.status, during.body["error"]["code"]) == (409, "request_in_progress")
    expire_in_progress_records(local_dynamo)
    retry = movement.send()

    assert_answered_once(movement, retry, local_dynamo, meanwhile=0)


@pytest.fixture
def forgetful_transactions() -> Iterator[None]:
    """DynamoDB forgets a ClientRequestToken 10 minutes after its transaction: every
    TransactWriteItems of the handlers' client gets a token never seen before."""
    client = dynamodb_client()

    def fresh_token(params: dict[str, Any], **_: Any) -> None:
        params["ClientRequestToken"] = str(uuid.uuid4())

    client.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems", fresh_token)
    yield
    client.meta.events.unregister("before-parameter-build.dynamodb.TransactWriteItems", fresh_token)


def test_a_transfer_retry_after_its_token_expired_is_refused_by_the_retry_slots(
    api: Api,
    local_dynamo: LocalDynamo,
    forgetful_transactions: None,
    transaction_errors: list[str],
) -> None:
    movement = stocked(api, "transfer")
    faults = [reach_then(INTERNAL_ERROR), THROTTLED, THROTTLED]
    Injector.on(dynamodb_client(), "TransactWriteItems", *faults)

    assert movement.send().status == 503
    transaction_errors.clear()
    retry = movement.send()

    assert transaction_errors == ["TransactionCanceledException"]  # the guard's condition
    assert_answered_once(movement, retry, local_dynamo, meanwhile=0)


def test_a_transfer_that_failed_applies_when_retried_with_its_key(
    api: Api, local_dynamo: LocalDynamo
) -> None:
    """DynamoDB keeps the token of a transaction that succeeded, not of one it cancelled: the
    retry's IdempotentParameterMismatch would otherwise be taken for an applied transfer."""
    movement = stocked(api, "transfer")
    movement.case = replace(movement.case, body=movement.case.body | {"quantity": 12})

    refused = movement.send()
    assert (refused.status, refused.body["error"]["code"]) == (409, "insufficient_stock")
    restock_one_more(movement.sku)
    restock_one_more(movement.sku)
    retry = movement.send()

    assert retry.status == 200, retry.body
    assert (retry.body["source"]["quantity"], retry.body["destination"]["quantity"]) == (0, 13)
    assert movement.quantities(local_dynamo) == {A: (0, 4), B: (13, 2)}
