"""Idempotency-Keys and grouping: what makes a re-run apply each line exactly once, in order."""

import re

import pytest

from warehouse_cli.idempotency import file_digest, idempotency_key
from warehouse_cli.import_file import parse_import
from warehouse_cli.importer import group_lines

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


def test_groups_are_per_stock_record_in_file_order_largest_first() -> None:
    lines = parse_import(
        "sku,quantity,location_code,type,reference\n"
        "AAA,1,A-1,restock,\n"  # 2
        "BBB,1,,restock,\n"  # 3
        "AAA,1,,restock,\n"  # 4: same sku, other location: another record
        "BBB,1,,pick,\n"  # 5
        "AAA,1,A-1,pick,\n"  # 6
        "BBB,3,,adjust,\n"  # 7
    ).lines
    groups = [[line.number for line in group] for group in group_lines(lines)]
    assert groups == [[3, 5, 7], [2, 6], [4]]
