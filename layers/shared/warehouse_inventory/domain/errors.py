"""Domain errors and the one table that maps them to the contract's error codes (principle 6).

The domain raises these; only the HTTP layer turns them into responses, using ERROR_TABLE.
"""

from dataclasses import dataclass
from typing import Any


class WarehouseError(Exception):
    """Base of every error the contract names; `code` selects the row of ERROR_TABLE."""

    code = "internal"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(WarehouseError):
    code = "bad_request"


class InvalidCursor(WarehouseError):
    code = "invalid_cursor"

    def __init__(self, message: str = "The cursor is not valid for this query.") -> None:
        super().__init__(message)


class Unauthorized(WarehouseError):
    code = "unauthorized"


class Forbidden(WarehouseError):
    code = "forbidden"


class NotFound(WarehouseError):
    code = "not_found"


class Conflict(WarehouseError):
    code = "conflict"


class InsufficientStock(WarehouseError):
    code = "insufficient_stock"

    def __init__(self, available: int, requested: int) -> None:
        super().__init__(
            f"Only {available} on hand, {requested} requested.",
            [{"available": available, "requested": requested}],
        )


class RequestInProgress(WarehouseError):
    code = "request_in_progress"


class PreconditionFailed(WarehouseError):
    code = "precondition_failed"


class PayloadTooLarge(WarehouseError):
    code = "payload_too_large"


class ValidationFailed(WarehouseError):
    code = "validation_error"


class IdempotencyKeyReused(WarehouseError):
    code = "idempotency_key_reused"


class RateLimited(WarehouseError):
    code = "rate_limited"


class ServiceUnavailable(WarehouseError):
    """AWS throttled us or was unreachable after the SDK's own retries."""

    code = "service_unavailable"
    retry_after_seconds = 1


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    default_message: str


ERROR_TABLE: dict[str, ErrorSpec] = {
    "bad_request": ErrorSpec(400, "The request could not be read."),
    "invalid_cursor": ErrorSpec(400, "The cursor is not valid for this query."),
    "unauthorized": ErrorSpec(401, "A valid bearer token is required."),
    "forbidden": ErrorSpec(403, "Your role does not allow this operation."),
    "not_found": ErrorSpec(404, "Not found."),
    "conflict": ErrorSpec(409, "The request conflicts with the current state."),
    "insufficient_stock": ErrorSpec(409, "Not enough stock on hand."),
    "request_in_progress": ErrorSpec(409, "A request with this Idempotency-Key is in progress."),
    "precondition_failed": ErrorSpec(412, "The resource changed since the given version."),
    "payload_too_large": ErrorSpec(413, "The request body is larger than 64 KiB."),
    "validation_error": ErrorSpec(422, "The request is not valid."),
    "idempotency_key_reused": ErrorSpec(422, "The Idempotency-Key was used with another body."),
    "rate_limited": ErrorSpec(429, "Too many requests."),
    "service_unavailable": ErrorSpec(503, "The service is busy; retry shortly."),
    "internal": ErrorSpec(500, "Internal error."),
}

CODE_BY_STATUS: dict[int, str] = {spec.status: code for code, spec in reversed(ERROR_TABLE.items())}
"""The first code listed for a status (409 -> conflict): for errors raised by status alone."""
