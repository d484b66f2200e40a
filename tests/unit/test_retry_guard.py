"""The retry guard's slots, and the bound docs/idempotency.md states for them."""

import itertools
import re
from fractions import Fraction

from warehouse_devstack.template import REPO_ROOT
from warehouse_inventory.dal.retry_guard import RETRY_SLOTS, retry_slots

PAIRS = list(itertools.combinations(range(RETRY_SLOTS), 2))


def forgotten(k: int) -> Fraction:
    """P(both slots of an operation were taken by k later writes), by inclusion-exclusion:
    each write takes a uniform pair, so it misses a given slot with probability 31/32 and both
    of two given slots with probability C(62, 2) / C(64, 2)."""
    miss_one = Fraction(RETRY_SLOTS - 2, RETRY_SLOTS)
    miss_both = Fraction((RETRY_SLOTS - 2) * (RETRY_SLOTS - 3), RETRY_SLOTS * (RETRY_SLOTS - 1))
    return 1 - 2 * miss_one**k + miss_both**k


def test_every_operation_takes_two_different_slots() -> None:
    for n in range(5000):
        first, second = retry_slots(f"op-{n}")
        assert first != second
        assert {first, second} <= {f"rq{i}" for i in range(RETRY_SLOTS)}


def test_the_formula_matches_counting_every_pair_for_one_write() -> None:
    ours = (0, 1)
    both_taken = sum(1 for pair in PAIRS if set(ours) <= set(pair))
    assert forgotten(1) == Fraction(both_taken, len(PAIRS)) == Fraction(1, 2016)


def test_the_formula_matches_counting_for_two_writes() -> None:
    """Both slots are lost after two writes when their union covers them."""
    ours = {0, 1}
    lost = sum(1 for a in PAIRS for b in PAIRS if ours <= set(a) | set(b))
    assert forgotten(2) == Fraction(lost, len(PAIRS) ** 2)


def test_the_documented_table_is_the_formula() -> None:
    text = (REPO_ROOT / "docs" / "idempotency.md").read_text()
    rows = re.findall(r"^\| (\d+) \| (?:1 in ([\d,]+)|0) \|$", text, flags=re.MULTILINE)
    assert [int(k) for k, _ in rows] == [0, 1, 2, 5, 10, 20]
    for k, one_in in rows:
        expected = forgotten(int(k))
        if expected == 0:
            assert one_in == ""
        else:
            assert int(one_in.replace(",", "")) == round(1 / expected)
