"""Outermost ASGI layer: `x-request-id` on every response and a contract 500 as the last resort.

A pure ASGI wrapper rather than Starlette's BaseHTTPMiddleware, which costs a task per request.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warehouse_inventory.domain.errors import WarehouseError
from warehouse_inventory.http.context import request_id_of
from warehouse_inventory.http.error_responses import contract_error
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
            await contract_error(WarehouseError(), request_id)(scope, receive, send_with_request_id)
