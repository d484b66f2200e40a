"""Every 404 says what was not found: an unknown SKU, no stock of a known SKU at a location, an
unknown item or token (one code, `not_found`, for all: the message tells them apart)."""

import uuid

import pytest

from tests.support.api import Api


def known_sku(api: Api) -> str:
    """A SKU with stock at A-01 only."""
    sku = "NF" + uuid.uuid4().hex[:8].upper()
    assert (
        api.call(
            "POST", "/inventory/restock", {"sku": sku, "quantity": 5, "location_code": "A-01"}
        ).status
        == 201
    )
    return sku


def not_found(api: Api, method: str, path: str, body: object = None) -> str:
    result = api.call(method, path, body)
    assert (result.status, result.body["error"]["code"]) == (404, "not_found"), result.body
    message: str = result.body["error"]["message"]
    return message


def test_stock_of_an_unknown_sku(api: Api) -> None:
    assert not_found(api, "GET", "/inventory/NOSUCH1") == "SKU NOSUCH1 is not known."


@pytest.mark.parametrize(
    "body",
    [
        {"sku": "NOSUCH2", "quantity": 1, "location_code": "A-01"},
        {"sku": "NOSUCH2", "quantity": 1},
    ],
)
def test_a_pick_of_an_unknown_sku(api: Api, body: dict[str, object]) -> None:
    assert not_found(api, "POST", "/inventory/pick", body) == "SKU NOSUCH2 is not known."


def test_a_pick_where_a_known_sku_has_no_record(api: Api) -> None:
    sku = known_sku(api)
    body = {"sku": sku, "quantity": 1, "location_code": "Z-99"}
    assert not_found(api, "POST", "/inventory/pick", body) == f"No stock of {sku} at Z-99."
    unassigned = {"sku": sku, "quantity": 1}
    assert not_found(api, "POST", "/inventory/pick", unassigned) == f"No stock of {sku} unassigned."


def test_a_transfer_from_where_a_known_sku_has_no_record(api: Api) -> None:
    sku = known_sku(api)
    body = {"sku": sku, "quantity": 1, "from_location": "Z-99", "to_location": "A-01"}
    assert not_found(api, "POST", "/inventory/transfer", body) == f"No stock of {sku} at Z-99."


def test_a_transfer_of_an_unknown_sku(api: Api) -> None:
    body = {"sku": "NOSUCH3", "quantity": 1, "from_location": "A-01", "to_location": "B-01"}
    assert not_found(api, "POST", "/inventory/transfer", body) == "SKU NOSUCH3 is not known."


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_an_unknown_item(api: Api, method: str) -> None:
    assert not_found(api, method, "/items/NOSUCH4") == "Item NOSUCH4 does not exist."


def test_an_unknown_token(api: Api) -> None:
    message = not_found(api, "DELETE", "/tokens/tok_00000000feedface")
    assert message == "Token tok_00000000feedface is not known or already revoked."
