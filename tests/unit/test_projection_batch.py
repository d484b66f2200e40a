"""The projector's transaction plan: every change in exactly one transaction, none over
DynamoDB's 100 actions, a SKU never twice in one, and the summed summary deltas right."""

import random

import pytest

from warehouse_inventory.dal.projection_batch import (
    MAX_ACTIONS,
    Marked,
    SummaryDelta,
    actions,
    chunks,
)
from warehouse_inventory.domain.reports import StockChange


def changes(skus: int, locations: int, seed: int) -> list[StockChange]:
    places = [(f"S{s}", f"L{n}") for s in range(skus) for n in range(locations)]
    random.Random(seed).shuffle(places)
    return [StockChange(sku, at, n % 7, n + 1) for n, (sku, at) in enumerate(places)]


@pytest.mark.parametrize(
    ("skus", "locations"), [(1, 1), (20, 5), (100, 1), (1, 60), (1, 100), (3, 40), (80, 2)]
)
def test_every_change_in_one_transaction_of_at_most_100_actions(skus: int, locations: int) -> None:
    batch = changes(skus, locations, seed=skus * locations)

    plan = chunks(batch)

    planned = [change for chunk in plan for piece in chunk for change in piece]
    assert sorted(planned, key=by_version) == sorted(batch, key=by_version)
    for chunk in plan:
        assert actions(chunk) <= MAX_ACTIONS
        assert len({piece[0].sku for piece in chunk}) == len(chunk)  # a SKU once
        assert all(len({change.sku for change in piece}) == 1 for piece in chunk)


def by_version(change: StockChange) -> int:
    return change.version


def test_a_batch_of_many_skus_packs_them_into_few_transactions() -> None:
    """20 SKUs x 5 locations: 15 SKUs fill one transaction (15 x (5 markers + the item) + 5
    summaries = 95 actions; a 16th SKU would make 101), the other 5 the next."""
    assert [len(chunk) for chunk in chunks(changes(20, 5, seed=1))] == [15, 5]


def test_a_summary_delta_counts_against_the_marker_not_the_old_image() -> None:
    delta = SummaryDelta()
    delta.add(StockChange("A", "L", 5, 3), Marked(quantity=2, version=2))  # 2 -> 5
    delta.add(StockChange("B", "L", 0, 4), Marked(quantity=4, version=1))  # 4 -> 0
    delta.add(StockChange("C", "L", 6, 1), Marked())  # new record
    assert (delta.total_quantity, delta.sku_count) == (3 - 4 + 6, 0 - 1 + 1)


def test_only_the_newest_change_of_a_record_is_planned() -> None:
    """A marker can be written once per transaction, and the newest change carries the others'
    effect ("quantity is now N")."""
    batch = [StockChange("A", "L", 1, 1), StockChange("A", "L", 3, 3), StockChange("A", "L", 2, 2)]
    assert chunks(batch) == [[[StockChange("A", "L", 3, 3)]]]
