"""Outermost ASGI layer: `x-request-id` on every response and a contract 500 as the last resort.

A pure ASGI wrapper rather than Starlette's BaseHTTPMiddleware, which costs a task per request.
"""

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warehouse_inventory.errors import ERROR_TABLE
from warehouse_inventory.http.context import request_id_of
from warehouse_inventory.observability import logger


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())
        started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            if started:
                return
            logger.exception("unhandled error before a response")
            await send_internal_error(send_with_request_id, request_id)


async def send_internal_error(send: Send, request_id: str) -> None:
    error: dict[str, Any] = {"code": "internal", "message": ERROR_TABLE["internal"].default_message}
    body = json.dumps({"error": error | {"details": None}, "request_id": request_id}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
