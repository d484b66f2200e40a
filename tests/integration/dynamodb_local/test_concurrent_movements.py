"""One atomic write per movement, under contention on DynamoDB Local: a pick never oversells, a
transfer conserves the SKU's total and shows as exactly two paired stream records, and a
versioned adjust has one winner.

The SDK does not retry here (see `emulator_client`), so every number is DynamoDB's own answer.
"""

import random
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from warehouse_inventory.dal import keys
from warehouse_inventory.domain.errors import (
    Conflict,
    InsufficientStock,
    PreconditionFailed,
    WarehouseError,
)
from warehouse_inventory.domain.stock import Adjustment, StockLevel
from warehouse_inventory.schemas.inventory import (
    AdjustIn,
    AdjustReason,
    PickIn,
    RestockIn,
    TransferIn,
)
from warehouse_inventory.services.inventory import InventoryService

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams.type_defs import RecordTypeDef

pytestmark = pytest.mark.dynamodb_local

LOCATION = "A-01"
OTHER = "B-02"
STOCK = 20
PICKERS = 50
TRANSFERS = 40
TRANSFER_WORKERS = 16
TRANSFER_START = 15  # at each of the two locations
ADJUSTERS = 10
BARRIER_TIMEOUT = 30.0


def outcome[T](call: Callable[[], T]) -> T | WarehouseError:
    """The result, or the domain error it raised: threads report both, anything else fails."""
    try:
        return call()
    except WarehouseError as exc:
        return exc


def new_records(local: LocalDynamo, key: dict[str, Any], already: int = 0) -> list[dict[str, Any]]:
    """The NewImage of each stream record of `key` after the first `already` ones, as values."""
    return [images(record)[1] for record in stream_records_for(local, key)[already:]]


def deltas(records: list["RecordTypeDef"]) -> list[int]:
    """delta = new - old quantity per record change, as the relay rebuilds a movement."""
    return [new["quantity"] - old.get("quantity", 0) for old, new in map(images, records)]


@pytest.fixture(scope="module")
def service(local_dynamo: LocalDynamo, emulator_client: ClientFactory) -> InventoryService:
    return service_on(emulator_client(1), local_dynamo)


def test_concurrent_picks_never_oversell(
    local_dynamo: LocalDynamo, service: InventoryService
) -> None:
    """50 pickers race for 20 units: `quantity >= :n` must let exactly 20 through."""
    sku = fresh_sku()
    key = keys.stock_key(sku, LOCATION)
    service.restock(
        RestockIn(sku=sku, quantity=STOCK, location_code=LOCATION), meta(f"{sku}-restock")
    )
    start = threading.Barrier(PICKERS, timeout=BARRIER_TIMEOUT)
    request = PickIn(sku=sku, quantity=1, location_code=LOCATION)

    def pick(request_id: str) -> StockLevel | WarehouseError:
        start.wait()  # all threads leave together: maximal contention on the one record
        return outcome(lambda: service.pick(request, meta(request_id)))

    request_ids = [f"{sku}-pick-{n}" for n in range(PICKERS)]
    with ThreadPoolExecutor(max_workers=PICKERS) as pool:
        results = dict(zip(request_ids, pool.map(pick, request_ids), strict=True))

    won = {rid: r for rid, r in results.items() if isinstance(r, StockLevel)}
    refused = [r for r in results.values() if not isinstance(r, StockLevel)]
    assert len(won) == STOCK
    assert len(refused) == PICKERS - STOCK
    assert all(isinstance(error, InsufficientStock) for error in refused), refused
    for error in refused:
        assert error.details is not None
        available, requested = error.details[0]["available"], error.details[0]["requested"]
        assert isinstance(available, int)
        assert 0 <= available < requested == 1
    # every winner saw its own level: 19 down to 0, versions 2 to 21 (the restock made version 1)
    assert sorted(level.quantity for level in won.values()) == list(range(STOCK))
    assert sorted(level.version for level in won.values()) == list(range(2, STOCK + 2))

    final = get_record(local_dynamo, key)
    assert final is not None
    assert (final["quantity"], final["version"]) == (0, STOCK + 1)

    records = stream_records_for(local_dynamo, key)
    assert len(records) == 1 + STOCK  # the restock, then one record per successful pick
    restocked, picks = records[0], records[1:]
    assert images(restocked)[1]["last_movement"]["type"] == "restock"
    assert deltas(picks) == [-1] * STOCK  # NewImage.quantity == OldImage.quantity - 1
    picked = [images(record)[1] for record in picks]
    assert [new["version"] for new in picked] == list(range(2, STOCK + 2))
    assert {new["last_movement"]["type"] for new in picked} == {"pick"}
    assert sorted(new["last_movement"]["request_id"] for new in picked) == sorted(won)


def test_concurrent_transfers_conserve_the_total_and_pair_their_legs(
    local_dynamo: LocalDynamo, service: InventoryService, record_property: Callable[..., None]
) -> None:
    """Transfers both ways between two records: each is all-or-nothing, so the SKU's total never
    changes, no level goes below zero, and each success is one transfer_out + one transfer_in."""
    sku = fresh_sku()
    locations = (LOCATION, OTHER)
    for location in locations:
        initial = RestockIn(sku=sku, quantity=TRANSFER_START, location_code=location)
        service.restock(initial, meta(f"{sku}-restock-{location}"))
    rng = random.Random(4)  # a fixed plan: the interleaving is what varies between runs
    plan: dict[str, TransferIn] = {}
    for n in range(TRANSFERS):
        source, destination = rng.sample(locations, 2)
        plan[f"{sku}-transfer-{n}"] = TransferIn(
            sku=sku, quantity=rng.randint(1, 8), from_location=source, to_location=destination
        )

    def transfer(request_id: str) -> tuple[StockLevel, StockLevel] | WarehouseError:
        return outcome(lambda: service.transfer(plan[request_id], meta(request_id)))

    with ThreadPoolExecutor(max_workers=TRANSFER_WORKERS) as pool:
        results = dict(zip(plan, pool.map(transfer, plan), strict=True))

    done = {rid for rid, result in results.items() if isinstance(result, tuple)}
    failed = {rid: r for rid, r in results.items() if isinstance(r, WarehouseError)}
    assert all(isinstance(error, InsufficientStock | Conflict) for error in failed.values())
    assert done, "no transfer went through: the test proves nothing"
    record_property("transfers_applied", len(done))
    record_property(
        "transfers_insufficient_stock",
        sum(isinstance(error, InsufficientStock) for error in failed.values()),
    )
    record_property(
        "transfers_conflict", sum(isinstance(error, Conflict) for error in failed.values())
    )

    stock_keys = [keys.stock_key(sku, location) for location in locations]
    finals = [get_record(local_dynamo, key) for key in stock_keys]
    assert all(final is not None for final in finals)
    quantities = [int(final["quantity"]) for final in finals if final is not None]
    assert sum(quantities) == 2 * TRANSFER_START
    assert min(quantities) >= 0
    record_property("final_quantities", quantities)

    legs: dict[str, list[tuple[str, dict[str, Any], int]]] = defaultdict(list)
    for location, key, final in zip(locations, stock_keys, finals, strict=True):
        records = stream_records_for(local_dynamo, key)
        changes = [images(record) for record in records]
        # never negative at any moment, each version once and in order, history sums to on-hand
        assert all(new["quantity"] >= 0 for _, new in changes)
        assert [new["version"] for _, new in changes] == list(range(1, len(changes) + 1))
        assert final is not None and sum(deltas(records)) == final["quantity"]
        assert final["version"] == len(changes)
        for (_, new), delta in zip(changes[1:], deltas(records[1:]), strict=True):
            legs[new["last_movement"]["request_id"]].append((location, new, delta))

    assert set(legs) == done  # a failed transfer left no trace in the stream
    for request_id, pair in legs.items():
        request = plan[request_id]
        assert len(pair) == 2, pair
        by_type = {
            new["last_movement"]["type"]: (location, new, delta) for location, new, delta in pair
        }
        out_at, out, out_delta = by_type["transfer_out"]
        in_at, into, in_delta = by_type["transfer_in"]
        assert (out_at, in_at) == (request.from_location, request.to_location)
        assert (out_delta, in_delta) == (-request.quantity, request.quantity)
        transfer_id = out["last_movement"]["transfer_id"]
        assert transfer_id.startswith("trf_")
        assert into["last_movement"]["transfer_id"] == transfer_id
    assert len({pair[0][1]["last_movement"]["transfer_id"] for pair in legs.values()}) == len(done)


def test_concurrent_adjusts_with_one_version_have_one_winner(
    local_dynamo: LocalDynamo, service: InventoryService
) -> None:
    """Ten cycle counts all based on version 1: optimistic locking lets exactly one apply."""
    sku = fresh_sku()
    key = keys.stock_key(sku, LOCATION)
    service.restock(RestockIn(sku=sku, quantity=5, location_code=LOCATION), meta(f"{sku}-restock"))
    start = threading.Barrier(ADJUSTERS, timeout=BARRIER_TIMEOUT)

    def adjust(n: int) -> Adjustment | WarehouseError:
        request = AdjustIn(
            sku=sku,
            location_code=LOCATION,
            counted_quantity=100 + n,
            reason=AdjustReason.CYCLE_COUNT,
            expected_version=1,
        )
        start.wait()
        return outcome(lambda: service.adjust(request, meta(f"{sku}-adjust-{n}")))

    with ThreadPoolExecutor(max_workers=ADJUSTERS) as pool:
        results = list(pool.map(adjust, range(ADJUSTERS)))

    winners = [(n, r) for n, r in enumerate(results) if isinstance(r, Adjustment)]
    losers = [r for r in results if not isinstance(r, Adjustment)]
    assert len(winners) == 1
    assert len(losers) == ADJUSTERS - 1
    assert all(isinstance(error, PreconditionFailed) for error in losers), losers
    n, won = winners[0]
    assert (won.level.quantity, won.level.version, won.delta) == (100 + n, 2, 100 + n - 5)

    final = get_record(local_dynamo, key)
    assert final is not None
    assert (final["quantity"], final["version"]) == (100 + n, 2)
    adjusted = new_records(local_dynamo, key, already=1)
    assert len(adjusted) == 1
    assert adjusted[0]["last_movement"]["type"] == "adjust"
    assert adjusted[0]["last_movement"]["request_id"] == f"{sku}-adjust-{n}"
    assert adjusted[0]["last_movement"]["reason"] == "cycle_count"
