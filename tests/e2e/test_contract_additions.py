"""The contract's newer rules over HTTP through the real local stack: unknown query parameters and
non-JSON bodies refused on every route, GET /me, 404s that say what is missing, the projection
reports' pages and the per-operation error lists of the served OpenAPI document."""

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.support.contract_access import api_routes, concrete_path
from tests.support.local_stack import walk_pages
from warehouse_devstack.template import ApiRoute, load_template

ROUTES = api_routes(load_template())
PROJECTION_DEADLINE_SECONDS = 60.0


def unique_sku() -> str:
    return "NEW" + uuid.uuid4().hex[:10].upper()


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"]["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    error: dict[str, Any] = body["error"]
    return error


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_route_refuses_an_unknown_query_parameter(
    client: httpx.Client, route: ApiRoute
) -> None:
    response = client.request(route.method, concrete_path(route.path), params={"bogus": "1"})
    error = error_of(response, 422, "validation_error")
    assert [detail["field"] for detail in error["details"]] == ["bogus"]


def test_a_filter_the_list_does_not_have_is_refused_not_ignored(client: httpx.Client) -> None:
    error = error_of(client.get("/inventory", params={"sku": "WIDGET1"}), 422, "validation_error")
    assert "location_code, limit, cursor" in error["details"][0]["message"]


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "application/merge-patch+json", None],
)
def test_a_body_that_is_not_json_is_415_and_writes_nothing(
    client: httpx.Client, content_type: str | None
) -> None:
    sku = unique_sku()
    headers = {"content-type": content_type} if content_type else {}
    request = client.build_request(
        "POST", "/inventory/restock", content=f'{{"sku": "{sku}", "quantity": 5}}', headers=headers
    )
    assert request.headers.get("content-type") == content_type  # httpx adds none for text
    error_of(client.send(request), 415, "unsupported_media_type")
    error_of(client.get(f"/inventory/{sku}"), 404, "not_found")


def test_a_curl_form_body_is_415(client: httpx.Client) -> None:
    response = client.post("/inventory/restock", data={"sku": unique_sku(), "quantity": "5"})
    error_of(response, 415, "unsupported_media_type")


def test_json_with_a_utf8_charset_is_taken(client: httpx.Client) -> None:
    response = client.post(
        "/inventory/restock",
        content=f'{{"sku": "{unique_sku()}", "quantity": 5}}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201, response.text


def test_me_names_the_calling_token(client: httpx.Client, base_url: str) -> None:
    me = client.get("/me")
    assert me.status_code == 200, me.text
    assert me.json() | {"token_id": "…"} == {
        "token_id": "…",
        "name": "bootstrap-admin",
        "role": "admin",
    }
    issued = client.post("/tokens", json={"name": "e2e-me", "role": "viewer"}).json()
    headers = {"authorization": f"Bearer {issued['token']}"}
    viewer = httpx.get(f"{base_url}/me", headers=headers)
    assert viewer.json() == {"token_id": issued["token_id"], "name": "e2e-me", "role": "viewer"}
    error_of(httpx.get(f"{base_url}/me"), 401, "unauthorized")


def test_404s_say_what_was_not_found(client: httpx.Client) -> None:
    sku = unique_sku()
    assert (
        client.post(
            "/inventory/restock", json={"sku": sku, "quantity": 1, "location_code": "A-01"}
        ).status_code
        == 201
    )
    pick = {"sku": sku, "quantity": 1, "location_code": "Z-99"}
    assert error_of(client.post("/inventory/pick", json=pick), 404, "not_found")["message"] == (
        f"No stock of {sku} at Z-99."
    )
    unknown = pick | {"sku": "NOSUCHSKU9"}
    assert error_of(client.post("/inventory/pick", json=unknown), 404, "not_found")["message"] == (
        "SKU NOSUCHSKU9 is not known."
    )


def test_the_projection_reports_page_through_every_line_once(client: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    skus = [f"PG{tag}{n}" for n in range(3)]
    locations = [f"P{tag}{n}" for n in range(3)]
    for sku, location in zip(skus, locations, strict=True):
        assert (
            client.put(f"/items/{sku}", json={"name": sku, "reorder_point": 5}).status_code == 201
        )
        restock = {"sku": sku, "quantity": 1, "location_code": location}
        assert client.post("/inventory/restock", json=restock).status_code == 201
    deadline = time.monotonic() + PROJECTION_DEADLINE_SECONDS
    while True:
        low = [line["sku"] for line in walk_pages(client, "/reports/low-stock", {"limit": 1})]
        places = [
            line["location_code"] for line in walk_pages(client, "/reports/locations", {"limit": 2})
        ]
        if set(locations) <= set(places) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert [sku for sku in low if sku in skus] == skus and len(low) == len(set(low))
    assert [code for code in places if code in locations] == locations
    assert len(places) == len(set(places))
    error_of(client.get("/reports/low-stock", params={"cursor": "x"}), 400, "invalid_cursor")


def test_each_operation_lists_only_the_errors_it_can_answer(client: httpx.Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert sorted(paths["/health"]["get"]["responses"]) == ["200", "422", "429", "500"]
    assert "412" not in paths["/inventory/{sku}"]["get"]["responses"]
    assert "415" in paths["/inventory/restock"]["post"]["responses"]
