"""Faults injected at botocore's `before-send` event on the repository's own client: throttling,
a transaction conflict, a cancelled transaction and an ambiguous failure (the write reached
DynamoDB, the client saw a timeout or a 500). Our code is not patched; every injected answer goes
through botocore's parsing and retry logic like a real one, and DynamoDB Local does the rest.
"""

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.dynamodb_local import (
    ClientFactory,
    LocalDynamo,
    fresh_sku,
    get_record,
    images,
    meta,
    service_on,
    stream_records_for,
)
from tests.support.fault_injection import (
    INTERNAL_ERROR,
    THROTTLED,
    Fault,
    Injector,
    answer,
    cancelled,
    reach_then,
    read_timeout,
)
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.template import Template
from warehouse_inventory.dal import keys
from warehouse_inventory.dal.clients import dynamodb_client
from warehouse_inventory.dal.retry_guard import retry_slots, transaction_token
from warehouse_inventory.dal.stock_repository import change_fingerprint
from warehouse_inventory.dal.transactions import ATTEMPTS as TRANSACTION_ATTEMPTS
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.errors import (
    Conflict,
    InsufficientStock,
    NotFound,
    ServiceUnavailable,
    WarehouseError,
)
from warehouse_inventory.domain.stock import MovementMeta, MovementType, Transfer
from warehouse_inventory.schemas.inventory import (
    AdjustIn,
    AdjustReason,
    PickIn,
    RestockIn,
    TransferIn,
)
from warehouse_inventory.services.inventory import InventoryService
from warehouse_inventory.wiring import token_service

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.dynamodb_local

A, B = "A-1", "B-2"


@dataclass(frozen=True)
class Snapshot:
    """Two stock records and how many stream records each has: what a failed movement keeps."""

    records: list[dict[str, Any] | None]
    streamed: list[int]

    @classmethod
    def of(cls, local: LocalDynamo, *record_keys: dict[str, Any]) -> "Snapshot":
        return cls(
            [get_record(local, key) for key in record_keys],
            [len(stream_records_for(local, key)) for key in record_keys],
        )


def stocked(service: InventoryService, sku: str, levels: dict[str, int]) -> None:
    """Restock `sku` at each location through the service."""
    for location, quantity in levels.items():
        request = RestockIn(sku=sku, quantity=quantity, location_code=location)
        service.restock(request, meta(f"{sku}-setup-{location}"))


def movement(kind: str, sku: str) -> Callable[[InventoryService], Any]:
    """One movement of 2 units at A-1 (a transfer: to B-2), by the name of what it does."""
    requests: dict[str, Callable[[InventoryService], Any]] = {
        "restock": lambda s: s.restock(
            RestockIn(sku=sku, quantity=2, location_code=A), meta(f"{sku}-{kind}")
        ),
        "pick": lambda s: s.pick(
            PickIn(sku=sku, quantity=2, location_code=A), meta(f"{sku}-{kind}")
        ),
        "adjust": lambda s: s.adjust(
            AdjustIn(sku=sku, location_code=A, counted_quantity=2, reason=AdjustReason.CYCLE_COUNT),
            meta(f"{sku}-{kind}"),
        ),
        "transfer": lambda s: s.transfer(
            TransferIn(sku=sku, quantity=2, from_location=A, to_location=B),
            meta(f"{sku}-{kind}"),
        ),
    }
    return requests[kind]


@pytest.mark.parametrize(
    ("kind", "operation", "fault"),
    [
        ("restock", "UpdateItem", THROTTLED),
        ("pick", "UpdateItem", THROTTLED),
        ("adjust", "UpdateItem", THROTTLED),
        ("transfer", "TransactWriteItems", THROTTLED),
        ("transfer", "TransactWriteItems", cancelled("ThrottlingError", "None")),
    ],
    ids=["restock", "pick", "adjust", "transfer", "transfer-cancelled-by-throttling"],
)
def test_throttling_is_service_unavailable_and_changes_nothing(
    local_dynamo: LocalDynamo,
    emulator_client: ClientFactory,
    kind: str,
    operation: str,
    fault: Fault,
) -> None:
    """Throttling that outlasts the SDK's retries (none here, to stay fast) is a 503 with
    Retry-After, not a 500; and nothing was written."""
    sku = fresh_sku()
    client = emulator_client(1)
    service = service_on(client, local_dynamo)
    stocked(service, sku, {A: 5, B: 5})
    before = Snapshot.of(local_dynamo, keys.stock_key(sku, A), keys.stock_key(sku, B))
    injector = Injector.on(client, operation, fault)

    with pytest.raises(ServiceUnavailable) as raised:
        movement(kind, sku)(service)

    assert raised.value.retry_after_seconds == 1
    assert len(injector.requests) == 1  # the repository does not retry throttling itself
    assert Snapshot.of(local_dynamo, keys.stock_key(sku, A), keys.stock_key(sku, B)) == before


def test_throttled_restock_over_http_is_503_with_retry_after_after_the_sdk_retries(
    local_dynamo: LocalDynamo, template: Template, record_property: Callable[..., None]
) -> None:
    """The handler's own client retries (standard mode), then the API answers 503. The hook dies
    with that cached client, which the autouse fixture forgets after the test."""
    secret = token_service().issue("fault-operator", Role.OPERATOR).secret
    # the cached client the restock handler will use, throttled on more attempts than it makes
    injector = Injector.on(dynamodb_client(), "UpdateItem", *[THROTTLED] * 10)
    sku = fresh_sku()
    body = json.dumps({"sku": sku, "quantity": 1, "location_code": A}).encode()
    headers = [("Content-Type", "application/json"), ("Authorization", f"Bearer {secret}")]

    response = ApiGateway(template).dispatch("POST", "/inventory/restock", "", headers, body)

    assert response.status == 503
    sent = {name.lower(): value for name, value in response.headers}
    assert sent["retry-after"] == "1"
    assert json.loads(response.body)["error"]["code"] == "service_unavailable"
    assert 1 < len(injector.requests) < 10  # the SDK retried, then gave up
    record_property("sdk_attempts", len(injector.requests))
    assert get_record(local_dynamo, keys.stock_key(sku, A)) is None


def test_a_transaction_conflict_is_retried_with_the_same_token_and_applies_once(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    """The repository's own retry (SDK retries off) resends the same ClientRequestToken, so had
    the first attempt applied, the resend could not apply again."""
    sku = fresh_sku()
    client = emulator_client(1)
    service = service_on(client, local_dynamo)
    stocked(service, sku, {A: 5, B: 1})
    source, destination = keys.stock_key(sku, A), keys.stock_key(sku, B)
    injector = Injector.on(client, "TransactWriteItems", cancelled("None", "TransactionConflict"))

    levels = service.transfer(
        TransferIn(sku=sku, quantity=2, from_location=A, to_location=B), meta(f"{sku}-transfer")
    )

    assert [(level.quantity, level.version) for level in levels] == [(3, 2), (3, 2)]
    tokens = [request["ClientRequestToken"] for request in injector.requests]
    leg = MovementMeta(MovementType.TRANSFER_OUT, "clerk", "any", datetime.now(UTC))
    asked = change_fingerprint([Transfer(sku, A, B, 2, (leg, leg))])  # without who and when
    assert tokens == [transaction_token(f"{sku}-transfer", asked)] * 2
    out, into = (
        stream_records_for(local_dynamo, source),
        stream_records_for(local_dynamo, destination),
    )
    assert len(out) == len(into) == 2  # the restock, then exactly one leg each
    (old_out, new_out), (old_in, new_in) = images(out[1]), images(into[1])
    assert new_out["quantity"] - old_out["quantity"] == -2
    assert new_in["quantity"] - old_in["quantity"] == 2
    assert new_out["last_movement"]["type"] == "transfer_out"
    assert new_in["last_movement"]["type"] == "transfer_in"
    assert new_out["last_movement"]["transfer_id"] == new_in["last_movement"]["transfer_id"]


def test_transaction_conflicts_are_retried_a_bounded_number_of_times(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    """Busy records: give up with 409 after TRANSACTION_ATTEMPTS tries, nothing changed."""
    sku = fresh_sku()
    client = emulator_client(1)
    service = service_on(client, local_dynamo)
    stocked(service, sku, {A: 5, B: 1})
    before = Snapshot.of(local_dynamo, keys.stock_key(sku, A), keys.stock_key(sku, B))
    conflicts = [cancelled("TransactionConflict", "None")] * TRANSACTION_ATTEMPTS
    injector = Injector.on(client, "TransactWriteItems", *conflicts)

    with pytest.raises(Conflict):
        movement("transfer", sku)(service)

    assert len(injector.requests) == TRANSACTION_ATTEMPTS
    assert len({request["ClientRequestToken"] for request in injector.requests}) == 1
    assert Snapshot.of(local_dynamo, keys.stock_key(sku, A), keys.stock_key(sku, B)) == before


@pytest.mark.parametrize(
    ("source_stock", "destination_stock", "quantity", "error", "details"),
    [
        (3, 4, 5, InsufficientStock, [{"available": 3, "requested": 5}]),
        (0, None, 1, InsufficientStock, [{"available": 0, "requested": 1}]),
        (None, 4, 1, NotFound, None),
        (None, None, 1, NotFound, None),
    ],
    ids=["short", "empty-source-no-destination", "no-source", "no-records"],
)
def test_a_cancelled_transfer_changes_neither_record_nor_the_stream(
    local_dynamo: LocalDynamo,
    emulator_client: ClientFactory,
    source_stock: int | None,
    destination_stock: int | None,
    quantity: int,
    error: type[WarehouseError],
    details: list[dict[str, Any]] | None,
) -> None:
    """DynamoDB cancels the whole transaction: the destination leg (which has no condition and
    would create a record) must not apply either."""
    sku = fresh_sku()
    service = service_on(emulator_client(1), local_dynamo)
    wanted = {A: source_stock, B: destination_stock}
    stocked(service, sku, {at: max(level, 1) for at, level in wanted.items() if level is not None})
    if source_stock == 0:
        service.pick(PickIn(sku=sku, quantity=1, location_code=A), meta(f"{sku}-empty"))
    record_keys = (keys.stock_key(sku, A), keys.stock_key(sku, B))
    before = Snapshot.of(local_dynamo, *record_keys)
    request = TransferIn(sku=sku, quantity=quantity, from_location=A, to_location=B)

    with pytest.raises(error) as raised:
        service.transfer(request, meta(f"{sku}-transfer"))

    assert raised.value.details == details
    assert Snapshot.of(local_dynamo, *record_keys) == before


@pytest.mark.parametrize("fault", [read_timeout, INTERNAL_ERROR], ids=["read-timeout", "http-500"])
@pytest.mark.parametrize("kind", ["restock", "pick"])
def test_an_sdk_retry_after_an_applied_write_does_not_apply_it_twice(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory, kind: str, fault: Fault
) -> None:
    """The first UpdateItem applies but the client sees a failure; the SDK resends it. The
    request-id guard makes the resend fail its condition, and the level it reports is returned.

    The restock creates its record (version 1), so the service must still ensure the item.
    """
    sku = fresh_sku()
    client = emulator_client(3)
    service = service_on(client, local_dynamo)
    if kind == "pick":
        stocked(service, sku, {A: 2})  # the pick takes all: the resend also looks like a shortage
    key = keys.stock_key(sku, A)
    before = get_record(local_dynamo, key) or {"quantity": 0, "version": 0}
    streamed = len(stream_records_for(local_dynamo, key))
    injector = Injector.on(client, "UpdateItem", reach_then(fault))

    level = movement(kind, sku)(service)

    change = 2 if kind == "restock" else -2
    expected = (before["quantity"] + change, before["version"] + 1)
    assert (level.quantity, level.version) == expected
    assert len(injector.sent_to(key)) == 2  # the SDK did resend it
    after = get_record(local_dynamo, key)
    assert after is not None and (after["quantity"], after["version"]) == expected
    records = stream_records_for(local_dynamo, key)
    assert len(records) == streamed + 1
    assert images(records[-1])[1]["last_movement"]["request_id"] == f"{sku}-{kind}"
    item = get_record(local_dynamo, keys.item_key(sku))
    assert item is not None and item["name"] == sku


def other_request_id(own: str, shared: tuple[int, ...]) -> str:
    """A request id whose retry slots take exactly the `shared` ones (by index) of `own`'s.
    Chosen, not random: the guard's documented limit is an intervening write that takes both
    slots (1 in 2,016), which would make a test on random ids fail that often."""
    ours = retry_slots(own)
    wanted = {ours[index] for index in shared}
    candidates = (f"{own}-other{n}" for n in itertools.count())
    return next(rid for rid in candidates if set(retry_slots(rid)) & set(ours) == wanted)


@pytest.mark.parametrize("shared", [(), (0,), (1,)], ids=["no-slot", "first-slot", "second-slot"])
@pytest.mark.parametrize("kind", ["restock", "pick"])
def test_an_sdk_retry_after_another_write_landed_does_not_apply_it_twice(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory, kind: str, shared: tuple[int, ...]
) -> None:
    """Same ambiguous failure, but another client's restock of 1 lands on the record before the
    SDK resends: on a hot record (the case retries are for) this is the likely interleaving.
    With one slot per request (the first), an intervening write hashed to it (1 in 64) erased the
    memory of our write and the resend applied again; now the other slot still holds it."""
    sku = fresh_sku()
    client = emulator_client(3)
    service = service_on(client, local_dynamo)
    other = service_on(emulator_client(1), local_dynamo)
    stocked(service, sku, {A: 10})
    key = keys.stock_key(sku, A)
    other_id = other_request_id(f"{sku}-{kind}", shared)

    def another_restock() -> None:
        request = RestockIn(sku=sku, quantity=1, location_code=A)
        other.restock(request, meta(other_id))

    Injector.on(client, "UpdateItem", reach_then(INTERNAL_ERROR, another_restock))

    movement(kind, sku)(service)

    change = 2 if kind == "restock" else -2
    after = get_record(local_dynamo, key)
    assert after is not None
    assert (after["quantity"], after["version"]) == (10 + change + 1, 3)
    streamed = [images(record)[1] for record in stream_records_for(local_dynamo, key)]
    assert [new["last_movement"]["request_id"] for new in streamed[1:]] == [
        f"{sku}-{kind}",
        other_id,
    ]


def test_an_sdk_retry_of_an_applied_adjust_answers_its_delta_and_does_not_apply_twice(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    """An adjust's delta needs the level it replaced, which the resend cannot see in the record
    as it is: the write kept it beside its retry slots, so the answer is the first attempt's."""
    sku = fresh_sku()
    client = emulator_client(3)
    service = service_on(client, local_dynamo)
    stocked(service, sku, {A: 5})
    key = keys.stock_key(sku, A)
    Injector.on(client, "UpdateItem", reach_then(INTERNAL_ERROR))

    adjustment = movement("adjust", sku)(service)

    assert (adjustment.level.quantity, adjustment.level.version, adjustment.delta) == (2, 2, -3)
    after = get_record(local_dynamo, key)
    assert after is not None and (after["quantity"], after["version"]) == (2, 2)
    assert len(stream_records_for(local_dynamo, key)) == 2


def test_an_sdk_retry_of_an_applied_transfer_is_a_no_op_thanks_to_the_token(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    """TransactWriteItems reaches DynamoDB, the client sees a 500 and resends it with the same
    ClientRequestToken: DynamoDB answers success without applying it again."""
    sku = fresh_sku()
    client = emulator_client(3)
    service = service_on(client, local_dynamo)
    stocked(service, sku, {A: 5, B: 1})
    injector = Injector.on(client, "TransactWriteItems", reach_then(INTERNAL_ERROR))

    levels = movement("transfer", sku)(service)

    assert [(level.quantity, level.version) for level in levels] == [(3, 2), (3, 2)]
    assert len(injector.requests) == 2
    for location in (A, B):
        assert len(stream_records_for(local_dynamo, keys.stock_key(sku, location))) == 2


def test_a_pick_on_a_record_in_a_running_transaction_is_a_domain_error(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    """Real DynamoDB rejects an UpdateItem on an item a transaction is writing with
    TransactionConflictException (DynamoDB Local serialises instead, so it is injected)."""
    sku = fresh_sku()
    client = emulator_client(3)
    service = service_on(client, local_dynamo)
    stocked(service, sku, {A: 5})
    injector = Injector.on(client, "UpdateItem", answer(400, "TransactionConflictException"))

    with pytest.raises((Conflict, ServiceUnavailable)):
        movement("pick", sku)(service)

    assert len(injector.requests) == 1


def test_a_restock_whose_item_a_projection_holds_tries_the_item_again(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    """The projector's transactions write items: the restock's item upkeep, refused because
    one held the item (TransactionConflictException, not applied), is tried again, not a 503."""
    sku = fresh_sku()
    client = emulator_client(3)
    service = service_on(client, local_dynamo)
    held = answer(400, "TransactionConflictException")
    upkeeps: list[str] = []

    def item_held_once(request: Any, **_: Any) -> Any:
        body = json.loads(request.body)
        if body.get("Key") != keys.item_key(sku):
            return None
        upkeeps.append(body["UpdateExpression"])
        return held(request) if len(upkeeps) == 1 else None

    client.meta.events.register("before-send.dynamodb.UpdateItem", item_held_once)

    level = movement("restock", sku)(service)

    assert (level.quantity, level.version) == (2, 1)
    assert len(upkeeps) == 2  # refused once, then applied
    item = get_record(local_dynamo, keys.item_key(sku))
    assert item is not None and item["stock_records"] == 1
