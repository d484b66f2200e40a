"""Turns FastAPI routers into a Lambda handler: Mangum + Powertools Logger and Metrics."""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from fastapi import APIRouter, FastAPI
from mangum import Mangum

from warehouse_inventory.http.error_responses import install_error_handlers
from warehouse_inventory.http.request_id import RequestIdMiddleware
from warehouse_inventory.observability import logger, metrics

_thread_state = threading.local()

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def build_app(*routers: APIRouter, **fastapi_options: Any) -> FastAPI:
    """The FastAPI app of one function; the docs app passes every router to get the union."""
    options = {"openapi_url": None, "docs_url": None, "redoc_url": None} | fastapi_options
    app = FastAPI(title="Warehouse inventory API", **options)
    install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    return app


def ensure_event_loop() -> None:
    """Mangum runs each request on the thread's current loop; give each thread one, once.

    Lambda has one thread; the local stack serves from many, and asyncio gives new threads none.
    """
    if getattr(_thread_state, "loop", None) is None:
        _thread_state.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_thread_state.loop)


def make_handler(*routers: APIRouter) -> LambdaHandler:
    ensure_event_loop()  # before Mangum, which would otherwise create one with a warning
    asgi = Mangum(RequestIdMiddleware(build_app(*routers)), lifespan="off")

    @metrics.log_metrics
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        ensure_event_loop()
        return asgi(event, context)

    return handler
