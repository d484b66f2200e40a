"""Turns every failure into the contract's error body, from the one ERROR_TABLE."""

from collections.abc import Mapping

from aws_lambda_powertools.metrics import MetricUnit
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from warehouse_inventory.domain.errors import (
    ERROR_BY_STATUS,
    BadRequest,
    InsufficientStock,
    ServiceUnavailable,
    ValidationFailed,
    WarehouseError,
    error_spec,
)
from warehouse_inventory.observability import logger, metrics


def contract_error(
    error: WarehouseError, request_id: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The contract's error body and status for `error`; also an ASGI app for middlewares."""
    spec = error_spec(type(error))
    body = {
        "error": {"code": spec.code, "message": error.message, "details": error.details},
        "request_id": request_id,
    }
    if isinstance(error, ServiceUnavailable):
        headers = {"Retry-After": str(error.retry_after_seconds), **(headers or {})}
    return JSONResponse(body, status_code=spec.status, headers=headers)


def error_response(
    request: Request, error: WarehouseError, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return contract_error(error, request.state.request_id, headers)


def field_name(location: tuple[int | str, ...]) -> str:
    """('body', 'quantity') -> 'quantity'; ('query', 'limit') -> 'limit'; ('body',) -> 'body'."""
    return ".".join(str(part) for part in location[1:]) or str(location[0])


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error["type"] == "json_invalid" for error in errors):
        return error_response(request, BadRequest("The body is not valid JSON."))
    details = [{"field": field_name(tuple(e["loc"])), "message": e["msg"]} for e in errors]
    return error_response(request, ValidationFailed(details=details))


async def on_warehouse_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WarehouseError)
    if isinstance(exc, InsufficientStock):  # business metric: picks and transfers refused
        metrics.add_metric(name="InsufficientStockRejections", unit=MetricUnit.Count, value=1)
    return error_response(request, exc)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    error = ERROR_BY_STATUS.get(exc.status_code, BadRequest)
    return error_response(request, error(str(exc.detail)), headers=exc.headers)


async def on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error")
    return error_response(request, WarehouseError())


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(WarehouseError, on_warehouse_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
