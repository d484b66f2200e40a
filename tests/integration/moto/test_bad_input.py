"""Bad input gets the contract's 4xx and writes nothing."""

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api, all_items

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

GOOD = {"sku": "BAD1", "quantity": 1, "location_code": "A-1"}


def assert_error_shape(body: Any, headers: dict[str, str], code: str) -> None:
    assert set(body) == {"error", "request_id"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["request_id"] == headers["x-request-id"]
    assert headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "raw", [b"{bad", b'{"sku": "BAD1", "quantity": 1', b"\xff\xfe", b"{'sku': 'A'}"]
)
def test_malformed_json_is_bad_request(api: Api, dynamodb: "DynamoDBClient", raw: bytes) -> None:
    before = all_items(dynamodb)
    result = api.call("POST", "/inventory/restock", raw_body=raw)
    assert result.status == 400
    assert_error_shape(result.body, result.headers, "bad_request")
    assert all_items(dynamodb) == before


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"sku": "bad1"}, ["sku"]),
        ({"quantity": 0}, ["quantity"]),
        ({"quantity": -5}, ["quantity"]),
        ({"quantity": 10**9}, ["quantity"]),
        ({"quantity": "3"}, ["quantity"]),
        ({"location_code": "LOCATION-TOO-LONG"}, ["location_code"]),
        ({"is_admin": True}, ["is_admin"]),
        ({"sku": "x", "quantity": 0}, ["sku", "quantity"]),
    ],
)
def test_schema_violations_are_422_with_fields(
    api: Api, dynamodb: "DynamoDBClient", change: dict[str, Any], fields: list[str]
) -> None:
    before = all_items(dynamodb)
    result = api.call("POST", "/inventory/restock", GOOD | change)
    assert result.status == 422
    assert_error_shape(result.body, result.headers, "validation_error")
    assert [detail["field"] for detail in result.body["error"]["details"]] == fields
    assert all(detail["message"] for detail in result.body["error"]["details"])
    assert all_items(dynamodb) == before


@pytest.mark.parametrize("body", [None, [], "text", 5, {"sku": "BAD1"}])
def test_missing_or_wrong_body_is_422(api: Api, dynamodb: "DynamoDBClient", body: Any) -> None:
    before = all_items(dynamodb)
    raw = b"" if body is None else json.dumps(body).encode()
    result = api.call("POST", "/inventory/restock", raw_body=raw)
    assert result.status == 422
    assert_error_shape(result.body, result.headers, "validation_error")
    assert all_items(dynamodb) == before


def test_unknown_sku_is_404(api: Api) -> None:
    result = api.call("GET", "/inventory/NOSUCHSKU")
    assert result.status == 404
    assert_error_shape(result.body, result.headers, "not_found")


def test_malformed_sku_in_path_is_422(api: Api) -> None:
    result = api.call("GET", "/inventory/lower")
    assert result.status == 422
    assert result.body["error"]["details"][0]["field"] == "sku"


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "location_code=bad%20loc"])
def test_bad_list_parameters_are_422(api: Api, query: str) -> None:
    result = api.call("GET", "/inventory", query=query)
    assert result.status == 422
    assert_error_shape(result.body, result.headers, "validation_error")
