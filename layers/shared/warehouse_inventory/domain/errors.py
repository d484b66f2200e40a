"""The contract's errors: one exception class per error code, and the one table that gives each
class its code, status and default message.

The domain and the data layer raise these; the HTTP layer, the OpenAPI document and the local
stack's gateway read ERROR_TABLE, so a code's status and wording live in one row. A test fails
on a class without a row or a contract code without a class.
"""

from dataclasses import dataclass
from typing import Any


class WarehouseError(Exception):
    """Base of every error the contract names; raised as itself it is the `internal` error."""

    def __init__(
        self, message: str | None = None, details: list[dict[str, Any]] | None = None
    ) -> None:
        self.message = message or error_spec(type(self)).default_message
        super().__init__(self.message)
        self.details = details

    @property
    def code(self) -> str:
        return error_spec(type(self)).code


class BadRequest(WarehouseError):
    """A request that cannot be read: malformed JSON or framing, a refused CORS preflight."""


class InvalidCursor(WarehouseError):
    pass


class Unauthorized(WarehouseError):
    pass


class Forbidden(WarehouseError):
    pass


class NotFound(WarehouseError):
    pass


class Conflict(WarehouseError):
    pass


class InsufficientStock(WarehouseError):
    def __init__(self, available: int, requested: int) -> None:
        super().__init__(
            f"Only {available} on hand, {requested} requested.",
            [{"available": available, "requested": requested}],
        )


class RequestInProgress(WarehouseError):
    pass


class PreconditionFailed(WarehouseError):
    pass


class PayloadTooLarge(WarehouseError):
    """A body over the API's 64 KiB (the application's limit) or API Gateway's 10 MB."""


class UnsupportedMediaType(WarehouseError):
    """A request body that is not `application/json` (a form, text, no content-type)."""


class ValidationFailed(WarehouseError):
    pass


class IdempotencyKeyReused(WarehouseError):
    pass


class RateLimited(WarehouseError):
    """Answered by API Gateway's throttling (THROTTLED in template.yaml), never by a function:
    its row keeps the gateway's answer, the OpenAPI document and the contract in step."""


class ServiceUnavailable(WarehouseError):
    """AWS throttled us or was unreachable after the SDK's own retries."""

    retry_after_seconds = 1


class RefusedEntry(Exception):
    """An entry of a batch that cannot apply, so neither does the batch: the entry's position
    (from 0) and the error its own route would answer."""

    def __init__(self, index: int, error: WarehouseError) -> None:
        super().__init__(f"entry {index}: {error.message}")
        self.index = index
        self.error = error

    def answer(self) -> WarehouseError:
        """The entry's error, every `details` object naming the entry (`index` first); an error
        without details gets one `{index}`, so the client always learns which entry it was."""
        details = self.error.details or [{}]
        self.error.details = [{"index": self.index, **detail} for detail in details]
        return self.error


@dataclass(frozen=True)
class ErrorSpec:
    code: str
    status: int
    default_message: str


ERROR_TABLE: dict[type[WarehouseError], ErrorSpec] = {
    BadRequest: ErrorSpec("bad_request", 400, "The request could not be read."),
    InvalidCursor: ErrorSpec("invalid_cursor", 400, "The cursor is not valid for this query."),
    Unauthorized: ErrorSpec("unauthorized", 401, "A valid bearer token is required."),
    Forbidden: ErrorSpec("forbidden", 403, "Your role does not allow this operation."),
    NotFound: ErrorSpec("not_found", 404, "Not found."),
    Conflict: ErrorSpec("conflict", 409, "The request conflicts with the current state."),
    InsufficientStock: ErrorSpec("insufficient_stock", 409, "Not enough stock on hand."),
    RequestInProgress: ErrorSpec(
        "request_in_progress", 409, "A request with this Idempotency-Key is in progress."
    ),
    PreconditionFailed: ErrorSpec(
        "precondition_failed", 412, "The resource changed since the given version."
    ),
    PayloadTooLarge: ErrorSpec("payload_too_large", 413, "The request body is larger than 64 KiB."),
    UnsupportedMediaType: ErrorSpec(
        "unsupported_media_type",
        415,
        "The body must be JSON, sent with content-type: application/json.",
    ),
    ValidationFailed: ErrorSpec("validation_error", 422, "The request is not valid."),
    IdempotencyKeyReused: ErrorSpec(
        "idempotency_key_reused", 422, "The Idempotency-Key was used with another body."
    ),
    RateLimited: ErrorSpec("rate_limited", 429, "Too many requests."),
    ServiceUnavailable: ErrorSpec(
        "service_unavailable", 503, "The service is busy; retry shortly."
    ),
    WarehouseError: ErrorSpec("internal", 500, "Internal error."),
}

ERROR_BY_STATUS: dict[int, type[WarehouseError]] = {
    spec.status: error for error, spec in reversed(ERROR_TABLE.items())
}
"""The first error listed for a status (409 -> Conflict): for answers known by status alone."""


def error_spec(error: type[WarehouseError]) -> ErrorSpec:
    """The row of `error`, or of the nearest base class that has one (WarehouseError has)."""
    for cls in error.__mro__:
        if issubclass(cls, WarehouseError) and cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    raise LookupError(error)
