"""Bodies over 64 KiB get 413 `payload_too_large` before any parsing (CONTRACT.md, limits).

API Gateway lets up to 10 MB through, so the limit is the application's. Mangum hands the whole
body over in one message, so reading it first costs nothing extra.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warehouse_inventory.domain.errors import PayloadTooLarge
from warehouse_inventory.http.error_responses import contract_error

MAX_BODY_BYTES = 64 * 1024


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                refusal = contract_error(PayloadTooLarge(), scope["state"]["request_id"])
                await refusal(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)

        async def replay() -> Message:
            nonlocal body
            message: Message = {"type": "http.request", "body": body, "more_body": False}
            body = b""
            return message

        await self.app(scope, replay, send)
