"""What a request body must be, on the routes that take one: at most 64 KiB (413
`payload_too_large`) and JSON by its content-type (415 `unsupported_media_type`), both checked
before the body is parsed, so a refused request changes nothing.

JSON means `application/json`, with no parameter or `charset=utf-8` (RFC 8259: JSON is UTF-8).
Anything else is refused: a form (`curl -d`), text, another `+json` type such as
`application/merge-patch+json` (this API has no merge-patch semantics), and a body without a
content-type (what it holds is not said). Routes that take no body ignore one, as they ignore
its content-type. API Gateway's limit is 10 MB, so the 64 KiB are the application's.

FastAPI itself would parse any `*/*+json` type or a body without a content-type as JSON, and
answer a form with a 422 about "body": hence this route class, which every router uses
(`api_router`) and build_app insists on.
"""

from collections.abc import Callable, Coroutine
from email.message import Message
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from warehouse_inventory.domain.errors import PayloadTooLarge, UnsupportedMediaType
from warehouse_inventory.http.query_parameters import refuse_unknown_query_parameters
from warehouse_inventory.http.roles import enforce_minimum_role

MAX_BODY_BYTES = 64 * 1024
JSON_CHARSETS = frozenset({None, "utf-8", "utf8"})

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


@lru_cache(maxsize=64)  # clients send a handful of spellings; parsing one costs a Message
def is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    header = Message()
    header["content-type"] = content_type
    charset = header.get_param("charset")
    return header.get_content_type() == "application/json" and (
        charset is None or (isinstance(charset, str) and charset.lower() in JSON_CHARSETS)
    )


async def check_body(request: Request) -> None:
    body = await request.body()  # Starlette keeps it for the handler's own read
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge
    if body and not is_json(request.headers.get("content-type")):
        raise UnsupportedMediaType


class JsonBodyRoute(APIRoute):
    """Every API route's rules, in this order, before FastAPI reads its parameters: the body
    (routes that take one), the caller's role (roles.py), the query parameters
    (query_parameters.py). Here rather than app-wide dependencies, which FastAPI would solve
    anew on every request (docs/performance.md, "Cold start and warm overhead")."""

    def get_route_handler(self) -> Handler:
        handler: Handler = super().get_route_handler()
        takes_body = self.body_field is not None

        async def checked(request: Request) -> Response:
            if takes_body:
                await check_body(request)
            enforce_minimum_role(request, self)
            refuse_unknown_query_parameters(request, self)
            return await handler(request)

        return checked


def api_router(tag: str) -> APIRouter:
    """The router of a route module: its OpenAPI tag, and the body rules above."""
    return APIRouter(tags=[tag], route_class=JsonBodyRoute)
