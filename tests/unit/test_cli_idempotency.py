"""Idempotency-Keys and batches: what makes a re-run apply each line exactly once, in order."""

import re

import pytest

from warehouse_cli.batches import plan, rounds
from warehouse_cli.idempotency import batch_key, file_digest, idempotency_key
from warehouse_cli.import_file import parse_import

CONTENT = b"sku,quantity,location_code,type,reference\nABC1,5,,restock,\n"
VISIBLE_ASCII = re.compile(r"[\x21-\x7e]{1,64}")


def test_the_same_file_and_line_always_give_the_same_key() -> None:
    assert idempotency_key(file_digest(CONTENT), 2) == idempotency_key(file_digest(CONTENT), 2)


def test_keys_differ_per_line_per_content_and_per_salt() -> None:
    digest = file_digest(CONTENT)
    keys = {
        idempotency_key(digest, 2),
        idempotency_key(digest, 3),
        idempotency_key(file_digest(CONTENT + b"ABC1,1,,pick,\n"), 2),
        idempotency_key(file_digest(CONTENT, salt="again"), 2),
    }
    assert len(keys) == 4


def test_the_file_name_is_not_part_of_the_key() -> None:
    """A renamed or moved copy of a file is the same import (it is the same content)."""
    assert file_digest(bytes(CONTENT)) == file_digest(CONTENT)


@pytest.mark.parametrize("line", [1, 2, 2_000, 10**9, 10**17])
def test_keys_fit_the_contract(line: int) -> None:
    key = idempotency_key(file_digest(CONTENT), line)
    assert VISIBLE_ASCII.fullmatch(key), key
    assert key.endswith(f"-{line}")


def test_a_line_number_too_long_for_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="too large"):
        idempotency_key(file_digest(CONTENT), 10**30)


def test_batch_keys_name_the_file_and_the_lines_and_fit_the_contract() -> None:
    digest = file_digest(CONTENT)
    key = batch_key(digest, [2, 3, 5])
    assert VISIBLE_ASCII.fullmatch(key) and key.startswith(f"imb-{digest[:40]}-")
    assert key == batch_key(digest, [2, 3, 5])
    others = {batch_key(digest, [2, 3]), batch_key(digest, [2, 3, 6]), batch_key("0" * 64, [2])}
    assert key not in others and len(others) == 3


HEADER = "sku,quantity,location_code,type,reference,from_location,to_location"


def test_rounds_keep_each_record_s_lines_in_file_order_and_apart() -> None:
    lines = parse_import(
        f"{HEADER}\n"
        "AAA,1,A-1,restock,,,\n"  # 2
        "BBB,1,,restock,,,\n"  # 3
        "AAA,1,,restock,,,\n"  # 4: same sku, other location: another record
        "BBB,1,,pick,,,\n"  # 5
        "AAA,1,,transfer,,A-1,B-2\n"  # 6: after 2
        "CCC,1,,restock,,,\n"  # 7
        "AAA,1,B-2,pick,,,\n"  # 8: after 6 (B-2)
        "BBB,3,,adjust,,,\n"  # 9
    ).lines
    assert [[line.number for line in found] for found in rounds(lines)] == [
        [2, 3, 4, 7],
        [5, 6],
        [8, 9],
    ]


def test_batches_hold_at_most_the_size_and_a_hundred_records() -> None:
    transfers = "".join(f"S{n:03d},1,,transfer,,A-1,B-2\n" for n in range(60))
    lines = parse_import(f"{HEADER}\n{transfers}").lines
    digest = file_digest(CONTENT)
    assert [[len(batch.lines) for batch in found] for found in plan(lines, digest, 100)] == [
        [50, 10]  # 50 transfers are 100 records
    ]
    assert [[len(batch.lines) for batch in found] for found in plan(lines, digest, 25)] == [
        [25, 25, 10]
    ]
    assert plan(lines, digest, 25) == plan(lines, digest, 25)  # a re-run plans the same keys


def test_a_round_s_batches_keep_a_sku_s_lines_together() -> None:
    """Fewer SKUs per batch: the API ensures each restocked SKU's item once per batch."""
    rows = "".join(f"SKU{n % 3},1,L-{n},restock,,,\n" for n in range(9))  # SKU0, SKU1, ...
    lines = parse_import(f"{HEADER}\n{rows}").lines
    (batches,) = plan(lines, file_digest(CONTENT), 3)
    skus = [{line.sku for line in batch.lines} for batch in batches]
    assert skus == [{"SKU0"}, {"SKU1"}, {"SKU2"}]
    assert [line.number for line in batches[0].lines] == [2, 5, 8]  # file order within
