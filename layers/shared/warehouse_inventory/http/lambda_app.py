"""Turns FastAPI routers into a Lambda handler: Mangum + Powertools Logger and Metrics."""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from fastapi import APIRouter, FastAPI
from mangum import Mangum
from starlette.types import ASGIApp

from warehouse_inventory.http.cors import ContractCORSMiddleware
from warehouse_inventory.http.error_responses import install_error_handlers
from warehouse_inventory.http.request_body import JsonBodyRoute
from warehouse_inventory.http.request_id import RequestIdMiddleware
from warehouse_inventory.http.roles import api_routes, undeclared_routes
from warehouse_inventory.observability import best_effort, logger, metrics, traced
from warehouse_inventory.settings import get_settings

_thread_state = threading.local()

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def build_app(*routers: APIRouter, **fastapi_options: Any) -> FastAPI:
    """The FastAPI app of one function; the docs app passes every router to get the union.
    Every route checks the caller's role first, then that it knows every query parameter: its
    route class does (request_body.JsonBodyRoute), which this insists on."""
    options = {"openapi_url": None, "docs_url": None, "redoc_url": None} | fastapi_options
    # The routers' routes themselves, not `include_router`: FastAPI serves an included router's
    # route through a handler it builds again for every request (0.141: APIRoute.handle).
    routes = [route for router in routers for route in router.routes]
    app = FastAPI(title="Warehouse inventory API", routes=routes, **options)
    install_error_handlers(app)
    if undeclared := undeclared_routes(app):
        raise LookupError(f"routes without a minimum role in access.MINIMUM_ROLE: {undeclared}")
    if unchecked := [r.path for r in api_routes(app.routes) if not isinstance(r, JsonBodyRoute)]:
        raise TypeError(f"routes without the body rules (request_body.api_router): {unchecked}")
    return app


def ensure_event_loop() -> None:
    """Mangum runs each request on the thread's current loop; give each thread one, once.

    Lambda has one thread; the local stack serves from many, and asyncio gives new threads none.
    """
    if getattr(_thread_state, "loop", None) is None:
        _thread_state.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_thread_state.loop)


def http_stack(app: ASGIApp) -> ASGIApp:
    """Outside in: request id (and last-resort 500), CORS, then the app."""
    return RequestIdMiddleware(ContractCORSMiddleware(app, get_settings().allowed_origins))


def make_handler(*routers: APIRouter) -> LambdaHandler:
    ensure_event_loop()  # before Mangum, which would otherwise create one with a warning
    asgi = Mangum(http_stack(build_app(*routers)), lifespan="off")  # type: ignore[arg-type]

    @traced
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Powertools' `log_metrics` would raise a failed flush after a committed movement's
        response; here it is logged (observability.best_effort)."""
        ensure_event_loop()
        try:
            return asgi(event, context)
        finally:
            if metrics.metric_set:  # most requests record none: no flush, no empty-flush warning
                with best_effort("flushing metrics"):
                    metrics.flush_metrics()

    return handler
