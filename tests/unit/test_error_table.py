"""The error table covers exactly the contract's codes with the contract's statuses."""

import json

from warehouse_devstack.template import Template
from warehouse_inventory.domain.errors import ERROR_TABLE, InsufficientStock

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
    "unsupported_media_type": 415,
    "validation_error": 422,
    "idempotency_key_reused": 422,
    "rate_limited": 429,
    "service_unavailable": 503,
    "internal": 500,
}


def test_every_contract_code_has_its_status() -> None:
    assert {spec.code: spec.status for spec in ERROR_TABLE.values()} == CONTRACT_CODES


def test_every_domain_error_has_a_row() -> None:
    from warehouse_inventory.domain import errors

    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.WarehouseError)
    ]
    assert set(ERROR_TABLE) == set(classes)
    assert {ERROR_TABLE[cls].code for cls in classes} == set(CONTRACT_CODES)


def test_an_error_raised_without_a_message_says_its_default() -> None:
    for error, spec in ERROR_TABLE.items():
        if error is not InsufficientStock:  # its message always names the quantities
            raised = error()
            assert (raised.code, raised.message) == (spec.code, spec.default_message)


def test_gateway_answers_are_rows_of_the_table(template: Template) -> None:
    """API Gateway's own answers (template.yaml's GatewayResponses) carry a row's code and
    status: RateLimited, never raised by a function, is the gateway's THROTTLED answer."""
    rows = {spec.code: spec for spec in ERROR_TABLE.values()}
    for kind, response in template.gateway_responses().items():
        error = json.loads(response.body_template)["error"]
        assert rows[error["code"]].status == response.status, kind
