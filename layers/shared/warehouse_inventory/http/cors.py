"""CORS from ALLOWED_ORIGINS only, with Starlette's middleware: an allowed origin is echoed,
any other gets no Access-Control-Allow-Origin, and there is never a `*`.

The subclass only turns Starlette's plain-text preflight refusal into the contract's error body.
"""

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from warehouse_inventory.domain.errors import BadRequest
from warehouse_inventory.http.error_responses import contract_error

ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match"]
EXPOSED_HEADERS = ["x-request-id", "Idempotent-Replayed", "Retry-After", "ETag"]
ALLOWED_METHODS = ["GET", "POST", "PUT", "DELETE"]


class ContractCORSMiddleware(CORSMiddleware):
    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        super().__init__(
            app,
            allow_origins=[origin for origin in allowed_origins if origin != "*"],
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=False,  # bearer tokens, no cookies: credentials are never needed
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        is_preflight = (
            headers is not None
            and scope["method"] == "OPTIONS"
            and "origin" in headers
            and "access-control-request-method" in headers
        )
        if not is_preflight or headers is None:
            await super().__call__(scope, receive, send)
            return
        response = self.preflight_response(request_headers=headers)
        if response.status_code >= 400:
            message = bytes(response.body).decode()
            response = contract_error(BadRequest(message), scope["state"]["request_id"])
        await response(scope, receive, send)
