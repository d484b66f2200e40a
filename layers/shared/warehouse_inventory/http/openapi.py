"""The API's documentation: one OpenAPI 3.1 document of every route, and Swagger UI over it.

Each function's app holds one route, so the document is built from a separate app holding every
router of `warehouse_inventory.http.routes` (found by walking the package, so a new route module
is documented without touching this file). FastAPI does not know what the error handlers, the
roles and the gateway add, so the generated schema is completed here: the bearer scheme on every
protected operation (per domain.access.MINIMUM_ROLE) and, on each operation, the contract's
error responses (ErrorOut) that its route can answer (http/route_errors.py), each status with
its codes, replacing FastAPI's own 422 body, which the API never sends.

Swagger UI loads everything by relative URLs (the document, its script and stylesheet from the
docs function itself: `swagger_ui_router`), and the document's one server is `..`, the API's root
relative to the document. So the page works offline, locally at /api/docs and deployed at
/<stage>/api/docs, and "Try it out" calls the same stage.
"""

import importlib
import pkgutil
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response

from warehouse_inventory.domain.access import PUBLIC, Role, minimum_role
from warehouse_inventory.domain.errors import (
    Forbidden,
    NotFound,
    ServiceUnavailable,
    WarehouseError,
    error_spec,
)
from warehouse_inventory.http import routes
from warehouse_inventory.http.lambda_app import build_app
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.http.roles import api_routes
from warehouse_inventory.http.route_errors import route_errors
from warehouse_inventory.schemas.errors import ErrorOut
from warehouse_inventory.settings import get_settings

Responses = dict[str, dict[str, Any]]
SCHEMA_REF = "#/components/schemas/"
SECURITY_SCHEME = "bearerAuth"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
FORBIDDEN_STATUS = error_spec(Forbidden).status
UNAVAILABLE_STATUS = error_spec(ServiceUnavailable).status
# FastAPI's 422 body (its own validation error format); the handlers send ErrorOut instead.
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
# Relative to the document (RFC 3986): /v1/api/openapi.json -> /v1/, /api/openapi.json -> /.
SERVERS = [{"url": "..", "description": "This API (the stage that serves this document)"}]
# No licence is granted to the API or this document: all rights reserved.
LICENSE = {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"}
# Swagger UI's own files, served next to the page: /api/docs/<name> (template: DocsFunction).
SWAGGER_UI_ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
SWAGGER_UI_ASSET_MAX_AGE_SECONDS = 86_400

DESCRIPTION = (
    "Stock per SKU and location, stock movements, item master data and API tokens. Every "
    "operation but `/health` and the docs needs `Authorization: Bearer <token>`; every error "
    "answers with the same JSON body, `ErrorOut`."
)

docs_router = api_router("docs")


def api_routers() -> list[APIRouter]:
    """The `router` of every module of `warehouse_inventory.http.routes`, in module-name order
    (a module without one, a helper, is skipped)."""
    found: list[APIRouter] = []
    for module_info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routes.__name__}.{module_info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def error_responses(errors: Iterable[type[WarehouseError]], required: Role | None) -> Responses:
    """The ErrorOut responses of an operation: each status with the codes it carries there."""
    codes: dict[int, list[str]] = {}
    for spec in sorted((error_spec(error) for error in errors), key=lambda s: (s.status, s.code)):
        codes.setdefault(spec.status, []).append(spec.code)
    responses: Responses = {}
    for status, named in sorted(codes.items()):
        description = "Error codes: " + ", ".join(f"`{code}`" for code in named) + "."
        if status == FORBIDDEN_STATUS:
            description += f" This operation needs the `{required}` role."
        response: dict[str, Any] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": SCHEMA_REF + "ErrorOut"}}},
        }
        if status == UNAVAILABLE_STATUS:
            retry_after = {"description": "Seconds to wait.", "schema": {"type": "integer"}}
            response["headers"] = {"Retry-After": retry_after}
        responses[str(status)] = response
    return responses


def operation_errors(app: FastAPI) -> dict[tuple[str, str], frozenset[type[WarehouseError]]]:
    """(lower-case method, path) -> the errors its route can answer."""
    return {
        (method.lower(), route.path): route_errors(route)
        for route in api_routes(app.routes)
        for method in route.methods or ()
    }


def complete_schema(
    schema: dict[str, Any], errors: dict[tuple[str, str], frozenset[type[WarehouseError]]]
) -> dict[str, Any]:
    """Add what FastAPI cannot see to its generated schema (in place): auth and error bodies."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(
        ref_template=SCHEMA_REF + "{model}", mode="serialization"
    )
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorOut"] = error_schema
    components["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from `POST /tokens`; its role decides what it may call.",
        }
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            required = minimum_role(method, path)
            # An empty list says "no token" explicitly (no operation inherits a default).
            operation["security"] = [] if required is PUBLIC else [{SECURITY_SCHEME: []}]
            successes = {
                status: response
                for status, response in operation.get("responses", {}).items()
                if not status.startswith(("4", "5"))
            }
            operation["responses"] = successes | error_responses(errors[(method, path)], required)
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    return schema


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=get_settings().service_version,
        description=DESCRIPTION,
        routes=app.routes,
        servers=SERVERS,
        license_info=LICENSE,
    )
    return complete_schema(schema, operation_errors(app))


@cache
def openapi_document() -> dict[str, Any]:
    """Built once per container from an app that is never served, only read for its routes."""
    return openapi_schema(build_app(*api_routers(), docs_router))


@docs_router.get(
    "/api/openapi.json",
    summary="This OpenAPI document",
    response_model=None,
    responses={
        200: {
            "description": "This document (OpenAPI 3.1).",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def openapi_json() -> JSONResponse:
    return JSONResponse(openapi_document())


@docs_router.get("/api/docs", summary="Swagger UI over this document", response_class=HTMLResponse)
async def swagger_ui() -> HTMLResponse:
    # Relative, so it works at /api/docs locally and at /<stage>/api/docs behind API Gateway:
    # from /api/docs, `./openapi.json` is /api/openapi.json and `./docs/x` is /api/docs/x.
    return get_swagger_ui_html(
        openapi_url="./openapi.json",
        title="Warehouse inventory API",
        swagger_js_url="./docs/swagger-ui-bundle.js",
        swagger_css_url="./docs/swagger-ui.css",
        swagger_favicon_url="data:,",  # no icon, and no request for one
    )


def swagger_ui_router(assets: Path) -> APIRouter:
    """GET /api/docs/{asset}: Swagger UI's script and stylesheet, read from `assets` (the docs
    function's own folder) and kept in memory. Only the names of SWAGGER_UI_ASSETS are served."""
    router = api_router("docs")

    @router.get("/api/docs/{asset}", include_in_schema=False)
    async def swagger_ui_asset(asset: str) -> Response:
        media_type = SWAGGER_UI_ASSETS.get(asset)
        if media_type is None:
            raise NotFound(f"No Swagger UI asset {asset!r}.")
        headers = {"Cache-Control": f"public, max-age={SWAGGER_UI_ASSET_MAX_AGE_SECONDS}"}
        return Response(read_asset(assets / asset), media_type=media_type, headers=headers)

    return router


@cache
def read_asset(path: Path) -> bytes:
    return path.read_bytes()
