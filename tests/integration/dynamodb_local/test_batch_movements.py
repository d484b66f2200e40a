"""Batches of movements on DynamoDB Local: one transaction of up to 100 records, all or nothing
(a refused batch writes nothing and streams nothing), concurrent with single movements on the
same records (totals conserved, never negative), and a retry after an uncertain outcome applied
once (docs/idempotency.md), also for a batch that holds a count.
"""

import random
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.api import Api, ApiResult
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
from tests.support.fault_injection import INTERNAL_ERROR, THROTTLED, Injector, reach_then
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.template import Template
from warehouse_inventory.dal import keys
from warehouse_inventory.dal.clients import dynamodb_client
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.errors import (
    Conflict,
    InsufficientStock,
    ServiceUnavailable,
)
from warehouse_inventory.schemas.batch import MovementBatchIn
from warehouse_inventory.schemas.inventory import PickIn, RestockIn, TransferIn
from warehouse_inventory.services.inventory import InventoryService
from warehouse_inventory.settings import get_settings
from warehouse_inventory.wiring import token_service

pytestmark = pytest.mark.dynamodb_local

PATH = "/inventory/movements"
PASSING_REFUSALS = (InsufficientStock, Conflict, ServiceUnavailable)
"""What a movement may meet under contention, each leaving the records as they were: too little
stock, a transaction that lost its races (409), a single write on a record a transaction held
(503, the SDK's retries being off here)."""


@pytest.fixture
def api(template: Template, local_dynamo: LocalDynamo) -> Api:
    secret = token_service().issue("batch-operator", Role.OPERATOR).secret
    return Api(ApiGateway(template), {Role.OPERATOR: secret})


def send(api: Api, body: dict[str, Any], key: str | None = None) -> ApiResult:
    headers = [("Idempotency-Key", key)] if key else None
    return api.call("POST", PATH, body, token="operator", headers=headers)


def restocked(api: Api, sku: str, levels: dict[str | None, int]) -> None:
    entries = [
        {"type": "restock", "sku": sku, "quantity": quantity, "location_code": location}
        for location, quantity in levels.items()
    ]
    assert send(api, {"movements": entries}).status == 200


def snapshot(local: LocalDynamo, record_keys: list[dict[str, Any]]) -> list[Any]:
    """Each record as it is, and how many stream records it has had."""
    return [(get_record(local, key), len(stream_records_for(local, key))) for key in record_keys]


def test_a_batch_refused_for_its_57th_entry_changes_nothing_and_streams_nothing(
    api: Api, local_dynamo: LocalDynamo
) -> None:
    sku = fresh_sku()
    locations = [f"L{n:02d}" for n in range(100)]
    restocked(api, sku, {locations[56]: 3})
    entries = [
        {"type": "restock", "sku": sku, "quantity": 1, "location_code": location}
        for location in locations
    ]
    entries[56] = {"type": "pick", "sku": sku, "quantity": 5, "location_code": locations[56]}
    record_keys = [keys.stock_key(sku, location) for location in locations]
    before = snapshot(local_dynamo, record_keys)

    answer = send(api, {"movements": entries})

    assert answer.status == 409, answer.body
    assert answer.body["error"]["code"] == "insufficient_stock"
    assert answer.body["error"]["details"] == [{"index": 56, "available": 3, "requested": 5}]
    assert snapshot(local_dynamo, record_keys) == before
    assert [streamed for _, streamed in before] == [0] * 56 + [1] + [0] * 43


def test_fifty_transfers_fill_the_hundred_records_of_one_transaction(
    api: Api, local_dynamo: LocalDynamo
) -> None:
    """DynamoDB's limit is 100 actions: 50 transfers, two records each, are one transaction."""
    sku = fresh_sku()
    sources = [f"S{n:02d}" for n in range(50)]
    restocked(api, sku, dict.fromkeys(sources, 2))
    entries = [
        {"type": "transfer", "sku": sku, "quantity": 1, "from_location": source,
         "to_location": f"D{source[1:]}"}
        for source in sources
    ]  # fmt: skip

    answer = send(api, {"movements": entries, "reference": "MOVE-50"})

    assert answer.status == 200, answer.body
    results = answer.body["results"]
    assert [(r["source"]["quantity"], r["destination"]["quantity"]) for r in results] == [
        (1, 1)
    ] * 50
    arrived = stream_records_for(local_dynamo, keys.stock_key(sku, "D07"))
    (old, new) = images(arrived[0])
    assert (old, new["quantity"], new["last_movement"]["reference"]) == ({}, 1, "MOVE-50")
    transfer_ids = {
        images(record)[1]["last_movement"]["transfer_id"]
        for location in ("S07", "D07")
        for record in stream_records_for(local_dynamo, keys.stock_key(sku, location))[-1:]
    }
    assert len(transfer_ids) == 1  # both legs of entry 7 carry one transfer id


def test_each_result_is_its_own_record_among_the_many_records_of_its_sku(api: Api) -> None:
    """The levels are read back per SKU, from its first to its last record in the batch: the
    records in between come along and must not be taken for results."""
    sku, other = fresh_sku(), fresh_sku()
    restocked(api, sku, {f"L{n:02d}": 5 for n in range(40)})
    restocked(api, other, {None: 5, "X-1": 5})
    entries = [
        {"type": "restock", "sku": sku, "quantity": 3, "location_code": "L39"},
        {"type": "pick", "sku": other, "quantity": 1, "location_code": "X-1"},
        {"type": "transfer", "sku": sku, "quantity": 2, "from_location": "L30",
         "to_location": "L10"},
        {"type": "adjust", "sku": sku, "location_code": "L20", "counted_quantity": 7,
         "reason": "cycle_count"},
        {"type": "restock", "sku": other, "quantity": 4, "location_code": None},
        {"type": "pick", "sku": sku, "quantity": 1, "location_code": "L00"},
    ]  # fmt: skip

    answer = send(api, {"movements": entries})

    assert answer.status == 200, answer.body
    restock, pick, transfer, adjust, unassigned, first = answer.body["results"]
    levels = [restock, pick, transfer["source"], transfer["destination"], unassigned, first]
    assert [(r["sku"], r["location_code"], r["quantity"], r["version"]) for r in levels] == [
        (sku, "L39", 8, 2),
        (other, "X-1", 4, 2),
        (sku, "L30", 3, 2),
        (sku, "L10", 7, 2),
        (other, None, 9, 2),
        (sku, "L00", 4, 2),
    ]
    assert (adjust["location_code"], adjust["quantity"], adjust["delta"]) == ("L20", 7, 2)
    untouched = api.call("GET", f"/inventory/{sku}", token="operator").body["levels"]
    assert sum(level["version"] == 1 for level in untouched) == 40 - 5


def random_batch(rng: random.Random, sku: str, locations: list[str]) -> MovementBatchIn:
    """2 to 4 movements on distinct records: restocks, picks and transfers of 1 to 6."""
    chosen = rng.sample(locations, rng.randint(3, 5))
    entries: list[dict[str, Any]] = []
    while len(chosen) >= 2 and len(entries) < 4:
        kind = rng.choice(["restock", "pick", "transfer"])
        quantity = rng.randint(1, 6)
        entry: dict[str, Any] = {"type": kind, "sku": sku, "quantity": quantity}
        if kind == "transfer":
            entry |= {"from_location": chosen.pop(), "to_location": chosen.pop()}
        else:
            entry["location_code"] = chosen.pop()
        entries.append(entry)
    return MovementBatchIn.model_validate({"movements": entries})


def random_single(
    rng: random.Random, sku: str, locations: list[str]
) -> RestockIn | PickIn | TransferIn:
    quantity = rng.randint(1, 6)
    source, destination = rng.sample(locations, 2)
    choices: list[RestockIn | PickIn | TransferIn] = [
        RestockIn(sku=sku, quantity=quantity, location_code=source),
        PickIn(sku=sku, quantity=quantity, location_code=source),
        TransferIn(sku=sku, quantity=quantity, from_location=source, to_location=destination),
    ]
    return rng.choice(choices)


def net_change(request: Any) -> int:
    """What an applied movement adds to the SKU's total: transfers add nothing."""
    if isinstance(request, MovementBatchIn):
        return sum(net_change(entry) for entry in request.movements)
    if isinstance(request, RestockIn):
        return request.quantity
    if isinstance(request, PickIn):
        return -request.quantity
    return 0


def apply(service: InventoryService, request: Any, request_id: str) -> int:
    """The movement's net change if it applied, 0 if it was refused (then nothing changed)."""
    call_meta = meta(request_id)
    try:
        if isinstance(request, MovementBatchIn):
            service.apply_batch(request, call_meta)
        elif isinstance(request, RestockIn):
            service.restock(request, call_meta)
        elif isinstance(request, PickIn):
            service.pick(request, call_meta)
        else:
            service.transfer(request, call_meta)
    except PASSING_REFUSALS:
        return 0
    return net_change(request)


def test_concurrent_batches_and_single_movements_conserve_totals_and_never_go_negative(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    sku = fresh_sku()
    locations = [f"C-{n}" for n in range(6)]
    service = service_on(emulator_client(1), local_dynamo)
    opening = MovementBatchIn.model_validate(
        {"movements": [
            {"type": "restock", "sku": sku, "quantity": 12, "location_code": location}
            for location in locations
        ]}
    )  # fmt: skip
    service.apply_batch(opening, meta(f"{sku}-opening"))
    rng = random.Random(16)
    requests = [
        random_batch(rng, sku, locations) if n % 2 else random_single(rng, sku, locations)
        for n in range(160)
    ]

    with ThreadPoolExecutor(8) as pool:
        changes = list(
            pool.map(lambda n: apply(service, requests[n], f"{sku}-{n}"), range(len(requests)))
        )

    stock = service.sku_stock(sku)
    assert stock.total_quantity == 12 * len(locations) + sum(changes)
    assert all(level.quantity >= 0 for level in stock.levels)
    for level in stock.levels:
        records = stream_records_for(local_dynamo, keys.stock_key(sku, level.location_code))
        assert len(records) == level.version  # every change streamed once, none lost
        deltas = [new["quantity"] - old.get("quantity", 0) for old, new in map(images, records)]
        assert sum(deltas) == level.quantity
        assert all(new["quantity"] >= 0 for _, new in map(images, records))
    assert sum(1 for change in changes if change) > len(requests) // 4  # contention, not refusal


def keyed_batch(sku: str) -> dict[str, Any]:
    """A restock, a pick, a transfer and a count on five records of `sku`."""
    return {
        "movements": [
            {"type": "restock", "sku": sku, "quantity": 2, "location_code": "A-1"},
            {"type": "pick", "sku": sku, "quantity": 3, "location_code": "B-2"},
            {"type": "transfer", "sku": sku, "quantity": 4, "from_location": "C-3",
             "to_location": "D-4"},
            {"type": "adjust", "sku": sku, "location_code": "E-5", "counted_quantity": 1,
             "reason": "damaged"},
        ]
    }  # fmt: skip


AFTER = {"A-1": (12, 2), "B-2": (7, 2), "C-3": (6, 2), "D-4": (14, 2), "E-5": (1, 2)}
"""(quantity, version) of each record once the keyed batch applied on 10 everywhere."""
DELTA = -9


def assert_applied_once(local: LocalDynamo, sku: str, answer: ApiResult) -> None:
    assert answer.status == 200, answer.body
    found = {at: get_record(local, keys.stock_key(sku, at)) for at in AFTER}
    assert {at: (r["quantity"], r["version"]) for at, r in found.items() if r} == AFTER
    for at in AFTER:
        assert len(stream_records_for(local, keys.stock_key(sku, at))) == 2
    restock, pick, transfer, adjust = answer.body["results"]
    answered = {
        "A-1": restock,
        "B-2": pick,
        "C-3": transfer["source"],
        "D-4": transfer["destination"],
        "E-5": adjust,
    }
    assert {at: (r["quantity"], r["version"]) for at, r in answered.items()} == AFTER
    assert adjust["delta"] == DELTA


def stocked_for_the_keyed_batch(api: Api) -> str:
    sku = fresh_sku()
    restocked(api, sku, dict.fromkeys(AFTER, 10))
    return sku


def test_a_retry_of_a_batch_whose_write_landed_before_a_503_applies_it_once(
    api: Api, local_dynamo: LocalDynamo
) -> None:
    """The transaction applies, the handler's client sees a 500 and two throttles (503); the
    retry with the same key meets its token (IdempotentParameterMismatch): applied."""
    sku = stocked_for_the_keyed_batch(api)
    key = str(uuid.uuid4())
    faults = [reach_then(INTERNAL_ERROR), THROTTLED, THROTTLED]
    Injector.on(dynamodb_client(), "TransactWriteItems", *faults)

    first = send(api, keyed_batch(sku), key)
    assert (first.status, first.body["error"]["code"]) == (503, "service_unavailable")
    retry = send(api, keyed_batch(sku), key)

    assert_applied_once(local_dynamo, sku, retry)
    again = send(api, keyed_batch(sku), key)
    assert again.body == retry.body and again.headers.get("idempotent-replayed") == "true"


@pytest.fixture
def forgetful_transactions() -> Iterator[None]:
    """DynamoDB forgets a ClientRequestToken 10 minutes after its transaction."""
    client = dynamodb_client()

    def fresh_token(params: dict[str, Any], **_: Any) -> None:
        params["ClientRequestToken"] = str(uuid.uuid4())

    client.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems", fresh_token)
    yield
    client.meta.events.unregister("before-parameter-build.dynamodb.TransactWriteItems", fresh_token)


def test_a_retry_of_a_batch_after_its_token_expired_is_refused_by_the_retry_slots(
    api: Api, local_dynamo: LocalDynamo, forgetful_transactions: None
) -> None:
    """Another write to the count's record lands in between: the retry still answers the
    first attempt's delta, which the count's write kept beside its retry slots."""
    sku = stocked_for_the_keyed_batch(api)
    key = str(uuid.uuid4())
    Injector.on(dynamodb_client(), "TransactWriteItems", reach_then(INTERNAL_ERROR), THROTTLED,
                THROTTLED)  # fmt: skip

    assert send(api, keyed_batch(sku), key).status == 503
    retry = send(api, keyed_batch(sku), key)

    assert_applied_once(local_dynamo, sku, retry)


class FunctionKilled(BaseException):
    """Lambda ending the invocation: Powertools neither saves the response nor frees the key."""


def test_a_retry_of_a_batch_after_the_function_died_between_write_and_save_applies_once(
    api: Api, local_dynamo: LocalDynamo
) -> None:
    sku = stocked_for_the_keyed_batch(api)
    key = str(uuid.uuid4())

    def killed(request: Any) -> Any:
        raise FunctionKilled

    Injector.on(dynamodb_client(), "TransactWriteItems", reach_then(killed))
    assert send(api, keyed_batch(sku), key).status == 500  # API Gateway would say 504
    during = send(api, keyed_batch(sku), key)
    assert (during.status, during.body["error"]["code"]) == (409, "request_in_progress")
    table = get_settings().idempotency_table_name
    for record in local_dynamo.client.scan(TableName=table)["Items"]:
        if record.get("status", {}).get("S") == "INPROGRESS":  # its invocation's time passed
            local_dynamo.client.update_item(
                TableName=table,
                Key={"id": record["id"]},
                UpdateExpression="SET in_progress_expiration = :past",
                ExpressionAttributeValues={":past": {"N": "1"}},
            )
    retry = send(api, keyed_batch(sku), key)

    assert_applied_once(local_dynamo, sku, retry)


def test_a_refused_batch_resent_without_its_refused_entry_under_the_same_key_applies(
    api: Api, local_dynamo: LocalDynamo
) -> None:
    """The CLI's way with a refused line: the same key carries the rest, which is a different
    transaction (its own ClientRequestToken), so it applies, once."""
    sku = stocked_for_the_keyed_batch(api)
    key = str(uuid.uuid4())
    body = keyed_batch(sku)
    body["movements"][1]["quantity"] = 11  # more than B-2 holds

    refused = send(api, body, key)
    del body["movements"][1]
    rest = send(api, body, key)
    again = send(api, body, key)

    assert refused.status == 409 and refused.body["error"]["details"][0]["index"] == 1
    assert rest.status == 200, rest.body
    assert again.headers.get("idempotent-replayed") == "true"
    after = {at: get_record(local_dynamo, keys.stock_key(sku, at)) for at in AFTER}
    assert {at: (r["quantity"], r["version"]) for at, r in after.items() if r} == AFTER | {
        "B-2": (10, 1)
    }
