"""The key table of docs/architecture.md is the layout the functions write: every kind of record
is written through the API and the projector on moto, and each record found in the table must
match exactly one documented row, index keys included, with every row and every conditional index
key seen."""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import REPO_ROOT, Template

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ARCHITECTURE = REPO_ROOT / "docs" / "architecture.md"
PLACEHOLDERS = {
    "<sku>": r"(?P<sku>[A-Z0-9]{3,20})",
    "<location>": r"(?P<location>[A-Z0-9-]{0,10})",
    "<location or ~>": r"(?:[A-Z0-9-]{1,10}|~)",
}
ABSENT = "\u2013"
SKU, OTHER_SKU, LOCATION = "KEYLAYOUT1", "KEYLAYOUT2", "A-01"


@dataclass(frozen=True)
class Pair:
    """Two attributes of a row: their patterns, or None when the record never has them."""

    names: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...] | None
    conditional: bool  # the cell says when: the record may lack them


@dataclass(frozen=True)
class Row:
    record: str
    pairs: tuple[Pair, ...]


def pattern(cell: str) -> re.Pattern[str]:
    text = re.escape(cell)
    for placeholder, regex in PLACEHOLDERS.items():
        text = text.replace(re.escape(placeholder), regex)
    return re.compile(text)


def documented_rows() -> list[Row]:
    text = ARCHITECTURE.read_text()
    header = re.search(r"^\| record \| (.+) \|$", text, re.MULTILINE)
    assert header, "the key table of docs/architecture.md"
    columns = [re.findall(r"`([a-z_]+)`", cell) for cell in header[1].split(" | ")]
    rows = []
    for line in text[header.end() :].strip().splitlines()[1:]:
        if not line.startswith("| "):
            break
        record, *cells = line.strip("| ").split(" | ")
        pairs = []
        for names, cell in zip(columns, cells, strict=True):
            values = re.findall(r"`([^`]+)`", cell)
            if cell == ABSENT:
                pairs.append(Pair(tuple(names), None, False))
            else:
                assert len(values) == len(names), (record, cell)
                conditional = bool(re.sub(r"`[^`]+`|/", "", cell).strip())
                pairs.append(Pair(tuple(names), tuple(map(pattern, values)), conditional))
        rows.append(Row(record, tuple(pairs)))
    return rows


def matches(row: Row, record: dict[str, Any]) -> dict[str, str] | None:
    """The placeholder values if `record` is of this row's kind (its pk and sk), else None."""
    key = next(pair for pair in row.pairs if pair.names == ("pk",) or "pk" in pair.names)
    sort = next(pair for pair in row.pairs if "sk" in pair.names)
    found: dict[str, str] = {}
    for pair in (key, sort):
        assert pair.patterns
        for name, regex in zip(pair.names, pair.patterns, strict=True):
            match = regex.fullmatch(record[name]["S"])
            if match is None:
                return None
            found |= {k: v for k, v in match.groupdict().items() if v is not None}
    return found


@pytest.fixture(scope="module")
def records(api: Api, dynamodb: "DynamoDBClient", template: Template) -> list[dict[str, Any]]:
    """An item low on stock and one that is not, located and unassigned stock, and what the
    projector makes of the stock's stream records."""
    item = {"name": "Key layout", "reorder_point": 100}
    assert api.call("PUT", f"/items/{SKU}", item).status == 201
    assert api.call("PUT", f"/items/{OTHER_SKU}", {"name": "Never low"}).status == 201
    for body in ({"location_code": LOCATION}, {}):
        restock = {"sku": SKU, "quantity": 5} | body
        assert api.call("POST", "/inventory/restock", restock).status == 201
    stock = [r for r in scan(dynamodb) if r["sk"]["S"].startswith("STOCK#")]
    event = {"Records": [stream_record(n, record) for n, record in enumerate(stock, 1)]}
    assert invoke(template.function("ProjectorFunction"), event) == {"batchItemFailures": []}
    return scan(dynamodb)


def scan(client: "DynamoDBClient") -> list[dict[str, Any]]:
    pages = client.get_paginator("scan").paginate(TableName="InventoryTable")
    return [dict(item) for page in pages for item in page["Items"]]


def stream_record(sequence: int, image: dict[str, Any]) -> dict[str, Any]:
    change = {
        "Keys": {"pk": image["pk"], "sk": image["sk"]},
        "NewImage": image,
        "SequenceNumber": str(sequence),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    return {"eventID": str(sequence), "eventName": "INSERT", "eventSource": "aws:dynamodb"} | {
        "dynamodb": change
    }


def test_the_table_documents_the_four_kinds_of_record() -> None:
    assert [row.record for row in documented_rows()] == [
        "item",
        "stock",
        "projection marker",
        "location summary",
    ]


def test_every_record_matches_exactly_one_documented_row(records: list[dict[str, Any]]) -> None:
    for record in records:
        kinds = [row for row in documented_rows() if matches(row, record) is not None]
        assert len(kinds) == 1, (record["pk"], record["sk"], [row.record for row in kinds])


def test_every_record_carries_its_row_s_index_keys(records: list[dict[str, Any]]) -> None:
    for record in records:
        (row,) = [row for row in documented_rows() if matches(row, record) is not None]
        values = matches(row, record)
        assert values is not None
        for pair in row.pairs:
            present = [name in record for name in pair.names]
            if pair.patterns is None:
                assert not any(present), (row.record, pair.names, record)
                continue
            if pair.conditional and not any(present):
                continue
            assert all(present), (row.record, pair.names, record)
            for name, regex in zip(pair.names, pair.patterns, strict=True):
                match = regex.fullmatch(record[name]["S"])
                assert match, (row.record, name, record[name])
                for placeholder, value in match.groupdict().items():
                    assert value is None or values.get(placeholder, value) == value, (name, record)


def test_every_row_and_every_conditional_key_is_seen(records: list[dict[str, Any]]) -> None:
    for row in documented_rows():
        kind = [record for record in records if matches(row, record) is not None]
        assert kind, f"no {row.record} was written"
        for pair in row.pairs:
            if pair.conditional:
                carrying = [r for r in kind if all(name in r for name in pair.names)]
                lacking = [r for r in kind if not any(name in r for name in pair.names)]
                assert carrying, (row.record, pair.names)
                assert lacking, (row.record, pair.names)
