"""The served OpenAPI document is the contract's: exactly the template's routes, with their auth and
the error responses each operation can answer (docs/api.md)."""

from typing import Any

import pytest

from tests.support.api import Api
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.template import ApiRoute, Template
from warehouse_inventory.domain.access import Role, minimum_role
from warehouse_inventory.settings import get_settings

ERROR_OUT = {"$ref": "#/components/schemas/ErrorOut"}
AUTH_STATUSES = {"401", "403"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def document(api: Api) -> dict[str, Any]:
    result = api.call("GET", "/api/openapi.json", token=None)
    assert result.status == 200, result.body
    assert result.headers["content-type"] == "application/json"
    body: dict[str, Any] = result.body
    return body


DOCS_ASSET_ROUTE = ("GET", "/api/docs/{asset}")  # the docs page's own files, not an operation


def template_routes(template: Template) -> dict[tuple[str, str], ApiRoute]:
    return {
        (route.method, route.path): route
        for spec in template.functions()
        for route in spec.routes
        if route.method != "OPTIONS" and (route.method, route.path) != DOCS_ASSET_ROUTE
    }


def documented_routes(
    document: dict[str, Any], template: Template
) -> list[tuple[ApiRoute, dict[str, Any]]]:
    """Each operation with its template route (a route missing from either side fails
    test_lists_exactly_the_template_routes, not every test here)."""
    routes = template_routes(template)
    return [(routes[key], op) for key, op in operations(document).items() if key in routes]


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def test_is_openapi_3_1_with_the_service_version(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["version"] == get_settings().service_version
    assert document["info"]["title"]


def test_lists_exactly_the_template_routes(document: dict[str, Any], template: Template) -> None:
    assert set(operations(document)) == set(template_routes(template))


def test_protected_operations_need_the_bearer_token_and_public_ones_nothing(
    document: dict[str, Any], template: Template
) -> None:
    schemes = document["components"]["securitySchemes"]
    assert document.get("security") is None  # no global requirement: each operation says
    for route, operation in documented_routes(document, template):
        if route.public:
            assert not operation.get("security"), route
        else:
            ((name, scopes),) = [item for entry in operation["security"] for item in entry.items()]
            assert {"type": "http", "scheme": "bearer"}.items() <= schemes[name].items(), route
            assert scopes == [], route


def test_every_operation_documents_its_errors_as_error_out(
    document: dict[str, Any], template: Template
) -> None:
    """Which errors each operation lists is tests/integration/moto/test_route_errors.py's to
    prove; here, their form: ErrorOut, a description naming the codes, no 401/403 without a
    token, no 403 where every token may call."""
    for route, operation in documented_routes(document, template):
        errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
        assert {"422", "429", "500"} <= set(errors), route
        for status, response in errors.items():
            assert response["content"] == {"application/json": {"schema": ERROR_OUT}}
            assert response["description"].startswith("Error codes: `"), (route, status)
        if route.public:
            assert not AUTH_STATUSES & set(errors), route
        else:
            assert "401" in errors, route
            assert ("403" in errors) == (minimum_role(route.method, route.path) != Role.VIEWER)


def test_health_lists_only_what_it_can_answer(document: dict[str, Any]) -> None:
    responses = document["paths"]["/health"]["get"]["responses"]
    assert sorted(responses) == ["200", "422", "429", "500"]


def test_error_out_is_the_contract_error_body(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    error_out = schemas["ErrorOut"]
    assert set(error_out["required"]) == {"error", "request_id"}
    detail = schemas[error_out["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert set(detail["required"]) == {"code", "message", "details"}
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422 body is never sent


def test_docs_page_loads_the_document_by_a_relative_url(template: Template) -> None:
    """Relative, so Swagger UI finds the document behind a stage prefix (/v1/api/docs) too."""
    response = ApiGateway(template).dispatch("GET", "/api/docs", "", [], b"")
    assert response.status == 200
    headers = {name.lower(): value for name, value in response.headers}
    assert headers["content-type"].startswith("text/html")
    assert b"url: './openapi.json'" in response.body


def test_docs_page_loads_swagger_ui_from_the_docs_function_by_relative_urls(
    template: Template,
) -> None:
    """No CDN (the page works offline) and no absolute path (it works behind /<stage>)."""
    body = ApiGateway(template).dispatch("GET", "/api/docs", "", [], b"").body.decode()
    assert 'src="./docs/swagger-ui-bundle.js"' in body
    assert 'href="./docs/swagger-ui.css"' in body
    assert "http://" not in body
    assert "https://" not in body


@pytest.mark.parametrize(
    ("asset", "media_type", "marker"),
    [
        ("swagger-ui-bundle.js", "text/javascript", b"SwaggerUIBundle"),
        ("swagger-ui.css", "text/css", b".swagger-ui"),
    ],
)
def test_swagger_ui_assets_are_served_without_a_token(
    template: Template, asset: str, media_type: str, marker: bytes
) -> None:
    response = ApiGateway(template).dispatch("GET", f"/api/docs/{asset}", "", [], b"")
    headers = {name.lower(): value for name, value in response.headers}
    assert response.status == 200
    assert headers["content-type"].split(";")[0] == media_type
    assert headers["cache-control"].startswith("public, max-age=")
    assert marker in response.body


@pytest.mark.parametrize("asset", ["index.html", "LICENSE", "..%2Fapp.py", "swagger-ui.css.map"])
def test_only_the_swagger_ui_assets_are_served(template: Template, asset: str) -> None:
    """The folder holds licence files and sits beside the function's code: none of it is served."""
    response = ApiGateway(template).dispatch("GET", f"/api/docs/{asset}", "", [], b"")
    assert response.status == 404
    assert b'"not_found"' in response.body


def test_the_document_s_server_is_the_api_root_relative_to_the_document(
    document: dict[str, Any],
) -> None:
    """`..` from /v1/api/openapi.json is /v1/: "Try it out" calls the stage that served it."""
    assert [server["url"] for server in document["servers"]] == [".."]
