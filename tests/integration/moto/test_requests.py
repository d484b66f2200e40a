"""The contract's "Requests" rules on every route: a query parameter the route does not declare is
a 422 naming it, and a body that is not JSON by its content-type is a 415 that changes nothing."""

import uuid
from typing import TYPE_CHECKING

import pytest

from tests.support.api import Api, all_items
from tests.support.contract_access import api_routes, concrete_path
from warehouse_devstack.template import ApiRoute, load_template
from warehouse_inventory.http.openapi import api_routers
from warehouse_inventory.http.request_body import JsonBodyRoute
from warehouse_inventory.http.roles import api_routes as app_routes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ROUTES = api_routes(load_template())
BODY_ROUTES = {
    (method, route.path)
    for router in api_routers()
    for route in app_routes(router.routes)
    if route.body_field is not None
    for method in route.methods or ()
}


def route_id(route: ApiRoute) -> str:
    return f"{route.method} {route.path}"


def test_every_route_of_the_app_has_the_body_rules() -> None:
    routes = [route for router in api_routers() for route in app_routes(router.routes)]
    assert len(routes) >= 17
    assert all(isinstance(route, JsonBodyRoute) for route in routes)
    assert ("POST", "/inventory/restock") in BODY_ROUTES and ("GET", "/items") not in BODY_ROUTES


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_route_refuses_query_parameters_it_does_not_declare(
    api: Api, route: ApiRoute
) -> None:
    result = api.call(route.method, concrete_path(route.path), query="bogus=1&Limit=2&bogus=3")
    assert (result.status, result.body["error"]["code"]) == (422, "validation_error"), result.body
    details = result.body["error"]["details"]
    assert [detail["field"] for detail in details] == ["bogus", "Limit"]
    assert all("not a query parameter" in detail["message"] for detail in details)


@pytest.mark.parametrize(
    ("path", "unknown", "takes"),
    [
        ("/inventory", "sku", "location_code, limit, cursor"),
        ("/reports/movements", "kind", "sku, location_code, type, since, until, limit, cursor"),
        ("/health", "verbose", "none"),
    ],
)
def test_the_refusal_says_what_the_route_takes(
    api: Api, path: str, unknown: str, takes: str
) -> None:
    result = api.call("GET", path, query=f"{unknown}=X1")
    assert result.status == 422
    assert result.body["error"]["message"] == f"Unknown query parameter: {unknown}."
    (detail,) = result.body["error"]["details"]
    assert detail == {
        "field": unknown,
        "message": f"not a query parameter of this route (it takes: {takes})",
    }


def test_declared_query_parameters_are_still_taken(api: Api) -> None:
    assert api.call("GET", "/inventory", query="location_code=A-1&limit=5").status == 200
    assert api.call("GET", "/reports/movements", query="type=pick&limit=1").status == 200


def test_a_movement_with_an_unknown_query_parameter_writes_nothing(
    api: Api, dynamodb: "DynamoDBClient"
) -> None:
    before = all_items(dynamodb)
    sku = "QRY" + uuid.uuid4().hex[:6].upper()
    result = api.call("POST", "/inventory/restock", {"sku": sku, "quantity": 1}, query="dry=1")
    assert result.status == 422
    assert all_items(dynamodb) == before


REFUSED_TYPES = [
    "application/x-www-form-urlencoded",  # curl -d
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/merge-patch+json",
    "application/problem+json",
    "application/json; charset=latin-1",
    "application/jsonx",
    None,  # a body without a content-type
]
ACCEPTED_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON;charset=UTF-8",
]


def body_for(method: str, path: str) -> dict[str, object]:
    """A body each body route would accept (the 415 must not depend on it being wrong)."""
    sku = "MT" + uuid.uuid4().hex[:8].upper()
    bodies: dict[str, dict[str, object]] = {
        "/inventory/restock": {"sku": sku, "quantity": 1},
        "/inventory/pick": {"sku": sku, "quantity": 1},
        "/inventory/transfer": {
            "sku": sku,
            "quantity": 1,
            "from_location": "A",
            "to_location": "B",
        },
        "/inventory/adjust": {"sku": sku, "counted_quantity": 1, "reason": "found"},
        "/inventory/movements": {"movements": [{"type": "restock", "sku": sku, "quantity": 1}]},
        "/items/{sku}": {"name": "Widget"},
        "/tokens": {"name": "media-type-test", "role": "viewer"},
    }
    return bodies[path]


@pytest.mark.parametrize("content_type", REFUSED_TYPES)
@pytest.mark.parametrize(("method", "path"), sorted(BODY_ROUTES))
def test_a_body_that_is_not_json_is_415_and_writes_nothing(
    api: Api, dynamodb: "DynamoDBClient", method: str, path: str, content_type: str | None
) -> None:
    before = all_items(dynamodb)
    result = api.call(
        method, concrete_path(path), body_for(method, path), content_type=content_type
    )
    assert (result.status, result.body["error"]["code"]) == (415, "unsupported_media_type")
    assert result.body["error"]["details"] is None
    assert all_items(dynamodb) == before


def test_a_form_body_as_curl_sends_it_is_415(api: Api) -> None:
    result = api.call(
        "POST",
        "/inventory/restock",
        raw_body=b"sku=WIDGET1&quantity=5",
        content_type="application/x-www-form-urlencoded",
    )
    assert result.status == 415
    assert "application/json" in result.body["error"]["message"]


@pytest.mark.parametrize("content_type", ACCEPTED_TYPES)
def test_json_with_or_without_a_utf8_charset_is_accepted(api: Api, content_type: str) -> None:
    sku = "CT" + uuid.uuid4().hex[:8].upper()
    result = api.call(
        "POST", "/inventory/restock", {"sku": sku, "quantity": 2}, content_type=content_type
    )
    assert result.status == 201, result.body


def test_an_empty_body_is_judged_by_the_route_not_its_content_type(api: Api) -> None:
    result = api.call("POST", "/inventory/restock", raw_body=b"", content_type="text/plain")
    assert (result.status, result.body["error"]["code"]) == (422, "validation_error")


def test_a_route_that_takes_no_body_ignores_one(api: Api) -> None:
    result = api.call("GET", "/health", raw_body=b"hello", content_type="text/plain", token=None)
    assert result.status == 200


def test_the_size_limit_comes_before_the_media_type(api: Api) -> None:
    result = api.call(
        "POST", "/inventory/restock", raw_body=b"x" * (65 * 1024), content_type="text/plain"
    )
    assert result.status == 413
