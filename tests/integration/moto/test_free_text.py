"""Free text a client sends (references, names, descriptions, units) holds only characters that
can be stored and sent on: a Unicode noncharacter or a control character is 422, nothing written."""

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api, all_items

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MOVEMENT = {"sku": "TEXT1", "quantity": 1, "location_code": "A-1"}
TRANSFER = {"sku": "TEXT1", "quantity": 1, "from_location": "A-1", "to_location": "B-1"}
# (method, path, valid body, the free-text field)
FIELDS = [
    ("POST", "/inventory/restock", MOVEMENT, "reference"),
    ("POST", "/inventory/pick", MOVEMENT, "reference"),
    ("POST", "/inventory/transfer", TRANSFER, "reference"),
    ("PUT", "/items/TEXT2", {"name": "Widget"}, "name"),
    ("PUT", "/items/TEXT2", {"name": "Widget"}, "description"),
    ("PUT", "/items/TEXT2", {"name": "Widget"}, "unit"),
    ("POST", "/tokens", {"name": "scanner", "role": "viewer"}, "name"),
]
SINGLE_LINE_FIELDS = [spec for spec in FIELDS if spec[3] != "description"]
REFUSED = {
    "U+FFFE": "\ufffe",
    "U+FFFF": "\uffff",
    "U+FDD0": "\ufdd0",
    "U+FDEF": "\ufdef",
    "U+1FFFE": "\U0001fffe",
    "U+10FFFF": "\U0010ffff",
    "NUL": "\x00",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "NEL (C1)": "\x85",
}


def stored(dynamodb: "DynamoDBClient") -> list[list[dict[str, Any]]]:
    """Everything the API can write: the inventory and the tokens."""
    tokens = dynamodb.scan(TableName="TokensTable")["Items"]
    return [all_items(dynamodb), sorted(tokens, key=str)]


@pytest.fixture(scope="module", autouse=True)
def stock_to_move(api: Api) -> None:
    assert api.call("POST", "/inventory/restock", MOVEMENT | {"quantity": 5}).status == 201


@pytest.mark.parametrize(("method", "path", "body", "field"), FIELDS)
@pytest.mark.parametrize("character", REFUSED.values(), ids=REFUSED.keys())
def test_a_character_that_cannot_be_stored_is_422_naming_the_field(
    api: Api,
    dynamodb: "DynamoDBClient",
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    character: str,
) -> None:
    before = stored(dynamodb)
    result = api.call(method, path, body | {field: f"PO{character}1"})
    assert result.status == 422, result.body
    assert result.body["error"]["code"] == "validation_error"
    assert [detail["field"] for detail in result.body["error"]["details"]] == [field]
    assert stored(dynamodb) == before


@pytest.mark.parametrize(("method", "path", "body", "field"), FIELDS)
def test_a_lone_surrogate_is_422_naming_the_field(
    api: Api, dynamodb: "DynamoDBClient", method: str, path: str, body: dict[str, Any], field: str
) -> None:
    """JSON can spell one (`"\\ud800"`), and json.loads makes a str of it; UTF-8 cannot hold it."""
    before = stored(dynamodb)
    raw = json.dumps(body | {field: "PO-1"}).replace("PO-1", "PO\\ud8001").encode()
    result = api.call(method, path, raw_body=raw)
    assert result.status == 422, result.body
    assert [detail["field"] for detail in result.body["error"]["details"]] == [field]
    assert stored(dynamodb) == before


@pytest.mark.parametrize(("method", "path", "body", "field"), FIELDS)
def test_any_other_unicode_is_kept_as_sent(
    api: Api, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    text = "Lager 北-7 ✓ 😀 \u200d"
    result = api.call(method, path, body | {field: text})
    assert result.status in {200, 201}, result.body
    if field in result.body:
        assert result.body[field] == text


def test_a_description_may_span_lines(api: Api) -> None:
    description = "first line\r\nsecond\tline\n"
    result = api.call("PUT", "/items/TEXT3", {"name": "Widget", "description": description})
    assert result.status in {200, 201}, result.body
    assert result.body["description"] == description


@pytest.mark.parametrize(("method", "path", "body", "field"), SINGLE_LINE_FIELDS)
def test_a_single_line_field_refuses_line_breaks(
    api: Api, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    result = api.call(method, path, body | {field: "two\nlines"})
    assert result.status == 422, result.body
