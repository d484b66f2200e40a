"""Request models enforce the contract's limits and refuse coercion and unknown fields."""

from typing import Any

import pytest
from pydantic import ValidationError

from warehouse_inventory.schemas.inventory import RestockIn

VALID: dict[str, Any] = {"sku": "ABC123", "quantity": 5, "location_code": "A-01"}


def failing_fields(body: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as raised:
        RestockIn.model_validate(body)
    return {".".join(str(part) for part in error["loc"]) for error in raised.value.errors()}


def test_valid_body_is_accepted() -> None:
    restock = RestockIn.model_validate(VALID | {"reference": "PO-1"})
    assert (restock.sku, restock.quantity, restock.location_code) == ("ABC123", 5, "A-01")


def test_location_is_optional() -> None:
    assert RestockIn.model_validate({"sku": "ABC", "quantity": 1}).location_code is None
    assert (
        RestockIn.model_validate({"sku": "ABC", "quantity": 1, "location_code": None}).location_code
        is None
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sku": "abc123"}, "sku"),
        ({"sku": "AB"}, "sku"),
        ({"sku": "A" * 21}, "sku"),
        ({"sku": "AB-1"}, "sku"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"quantity": 10**9}, "quantity"),
        ({"quantity": 1_000_001}, "quantity"),
        ({"quantity": "5"}, "quantity"),
        ({"quantity": 5.0}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"location_code": "A" * 11}, "location_code"),
        ({"location_code": "a-1"}, "location_code"),
        ({"location_code": ""}, "location_code"),
        ({"reference": "x" * 101}, "reference"),
        ({"owner": "mallory"}, "owner"),
    ],
)
def test_contract_violations_name_the_field(change: dict[str, Any], field: str) -> None:
    assert failing_fields(VALID | change) == {field}


def test_upper_bounds_are_inclusive() -> None:
    body = VALID | {"quantity": 1_000_000, "sku": "A" * 20, "location_code": "B" * 10}
    assert RestockIn.model_validate(body).quantity == 1_000_000
