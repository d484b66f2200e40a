"""Import file validation: every problem of every line, with file line numbers (header = 1)."""

import pytest

from warehouse_cli.import_file import ImportLine, Kind, parse_import

HEADER = "sku,quantity,location_code,type,reference"


def problems_of(*rows: str) -> dict[int, str]:
    parsed = parse_import("\n".join([HEADER, *rows]) + "\n")
    return {problem.line: problem.message for problem in parsed.problems}


def test_valid_lines_become_movements_in_file_order() -> None:
    parsed = parse_import(
        f"{HEADER}\nABC1,5,A-01,restock,PO-1\nABC1,2,A-01,pick,\nABC1,0,,adjust,\n"
    )
    assert parsed.problems == []
    assert parsed.lines == [
        ImportLine(2, "ABC1", 5, "A-01", Kind.RESTOCK, "PO-1"),
        ImportLine(3, "ABC1", 2, "A-01", Kind.PICK, None),
        ImportLine(4, "ABC1", 0, None, Kind.ADJUST, None),
    ]


def test_request_bodies_follow_the_contract() -> None:
    restock, pick, adjust = parse_import(
        f"{HEADER}\nABC1,5,A-01,restock,PO-1\nABC1,2,,pick,SO-9\nABC1,7,B-2,adjust,\n"
    ).lines
    assert (restock.path, restock.body()) == (
        "/inventory/restock",
        {"sku": "ABC1", "quantity": 5, "location_code": "A-01", "reference": "PO-1"},
    )
    assert (pick.path, pick.body()) == (
        "/inventory/pick",
        {"sku": "ABC1", "quantity": 2, "reference": "SO-9"},  # unassigned: no location_code
    )
    assert (adjust.path, adjust.body()) == (
        "/inventory/adjust",
        {"sku": "ABC1", "counted_quantity": 7, "reason": "cycle_count", "location_code": "B-2"},
    )


def test_every_bad_line_is_reported_with_its_file_line_number() -> None:
    problems = problems_of(
        "ABC1,5,A-01,restock,",  # 2: fine
        "abc1,5,A-01,restock,",  # 3: lowercase sku
        "",  # 4: blank, skipped but counted
        "ABC1,five,A-01,restock,",  # 5
        "ABC1,5,A-01,move,",  # 6
        "ABC1,5,A-01,restock",  # 7: four fields
        "ABC1,5,a 1,restock,",  # 8
    )
    assert sorted(problems) == [3, 5, 6, 7, 8]
    assert "sku 'abc1'" in problems[3]
    assert "quantity 'five' is not a whole number" in problems[5]
    assert "type 'move'" in problems[6]
    assert "expected 5 fields, found 4" in problems[7]
    assert "location_code 'a 1'" in problems[8]


def test_all_problems_of_one_line_are_listed_together() -> None:
    problems = problems_of("x,0,??,pick," + "r" * 101)
    message = problems[2]
    for part in ["sku 'x'", "quantity 0 must be between 1 and", "location_code '??'", "101"]:
        assert part in message


@pytest.mark.parametrize(
    ("row", "valid"),
    [
        ("ABC,1,,restock,", True),  # shortest sku
        ("AB,1,,restock,", False),
        ("A" * 20 + ",1,,restock,", True),
        ("A" * 21 + ",1,,restock,", False),
        ("ABC-1,1,,restock,", False),  # no dash in a sku
        ("ABC,1000000,,restock,", True),
        ("ABC,1000001,,restock,", False),
        ("ABC,0,,restock,", False),
        ("ABC,0,,pick,", False),
        ("ABC,-1,,restock,", False),
        ("ABC,1.0,,restock,", False),
        ("ABC,0,,adjust,", True),  # a count may find the shelf empty
        ("ABC,-1,,adjust,", False),
        ("ABC,1000000000,,adjust,", True),
        ("ABC,1000000001,,adjust,", False),
        ("ABC,1,A-12345678,restock,", True),  # 10 characters
        ("ABC,1,A-123456789,restock,", False),
        ("ABC,1,a-1,restock,", False),
        ("ABC,1,,restock," + "r" * 100, True),
        ("ABC,1,,restock," + "r" * 101, False),
        ("ABC,1,,adjust,PO-1", False),  # the API's adjust takes no reference
        ('ABC,1,,restock,"PO, 1"', True),  # quoted commas
        ('ABC,1,,restock,"PO', False),  # unbalanced quote
        (" ABC , 1 , A-1 , restock , PO-1 ", True),  # spaces around values are trimmed
        ("ABC,1,,RESTOCK,", False),
    ],
)
def test_contract_limits(row: str, valid: bool) -> None:
    assert (problems_of(row) == {}) is valid, problems_of(row)


@pytest.mark.parametrize(
    ("header", "complaint"),
    [
        ("", "missing header"),
        ("sku,quantity,location_code,type", "missing: reference"),
        ("sku,quantity,location_code,type,reference,note", "unknown: note"),
        ("sku,sku,quantity,location_code,type,reference", "twice: sku"),
        ("ABC1,5,A-01,restock,PO-1", "missing"),  # data without a header
    ],
)
def test_the_header_is_required_and_exact(header: str, complaint: str) -> None:
    parsed = parse_import(f"{header}\nABC1,5,A-01,restock,\n")
    assert parsed.lines == []
    assert [problem.line for problem in parsed.problems] == [1]
    assert complaint in parsed.problems[0].message


def test_columns_may_come_in_any_order_and_a_bom_is_ignored() -> None:
    parsed = parse_import("\ufefftype,reference,sku,location_code,quantity\nrestock,,ABC1,,3\n")
    assert parsed.problems == []
    assert parsed.lines == [ImportLine(2, "ABC1", 3, None, Kind.RESTOCK, None)]


def test_crlf_line_endings_keep_line_numbers() -> None:
    parsed = parse_import(f"{HEADER}\r\nABC1,5,,restock,\r\nABC1,x,,restock,\r\n")
    assert [problem.line for problem in parsed.problems] == [3]
