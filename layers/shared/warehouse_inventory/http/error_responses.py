"""Turns every failure into the contract's error body, using the one ERROR_TABLE."""

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from warehouse_inventory.domain.errors import (
    CODE_BY_STATUS,
    ERROR_TABLE,
    InsufficientStock,
    ServiceUnavailable,
    WarehouseError,
)
from warehouse_inventory.observability import logger, metrics


def contract_error(
    code: str,
    request_id: str,
    message: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The contract's error body and status for `code`; also an ASGI app for middlewares."""
    spec = ERROR_TABLE[code]
    body = {
        "error": {"code": code, "message": message or spec.default_message, "details": details},
        "request_id": request_id,
    }
    return JSONResponse(body, status_code=spec.status, headers=headers)


def error_response(
    request: Request,
    code: str,
    message: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return contract_error(code, request.state.request_id, message, details, headers)


def field_name(location: tuple[int | str, ...]) -> str:
    """('body', 'quantity') -> 'quantity'; ('query', 'limit') -> 'limit'; ('body',) -> 'body'."""
    return ".".join(str(part) for part in location[1:]) or str(location[0])


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error["type"] == "json_invalid" for error in errors):
        return error_response(request, "bad_request", "The body is not valid JSON.")
    details = [{"field": field_name(tuple(e["loc"])), "message": e["msg"]} for e in errors]
    return error_response(request, "validation_error", details=details)


async def on_warehouse_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WarehouseError)
    if isinstance(exc, InsufficientStock):  # business metric: picks and transfers refused
        metrics.add_metric(name="InsufficientStockRejections", unit=MetricUnit.Count, value=1)
    headers = None
    if isinstance(exc, ServiceUnavailable):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    return error_response(request, exc.code, exc.message, exc.details, headers)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = CODE_BY_STATUS.get(exc.status_code, "bad_request")
    return error_response(request, code, str(exc.detail), headers=exc.headers)


async def on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error")
    return error_response(request, "internal")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(WarehouseError, on_warehouse_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
