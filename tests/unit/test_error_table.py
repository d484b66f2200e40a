"""The error table covers exactly the contract's codes with the contract's statuses."""

from warehouse_inventory.domain.errors import ERROR_TABLE

CONTRACT_CODES = {
    "bad_request": 400,
    "invalid_cursor": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "insufficient_stock": 409,
    "request_in_progress": 409,
    "precondition_failed": 412,
    "payload_too_large": 413,
    "validation_error": 422,
    "idempotency_key_reused": 422,
    "rate_limited": 429,
    "service_unavailable": 503,
    "internal": 500,
}


def test_every_contract_code_has_its_status() -> None:
    assert {code: spec.status for code, spec in ERROR_TABLE.items()} == CONTRACT_CODES


def test_every_domain_error_has_a_row() -> None:
    from warehouse_inventory.domain import errors

    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.WarehouseError)
    ]
    assert {cls.code for cls in classes} == set(CONTRACT_CODES)
