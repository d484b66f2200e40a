"""The API through the real local stack over HTTP: handlers, DynamoDB Local and the gateway."""

import base64
import json
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.local_stack import ADMIN_TOKEN, StackProcess, command_line, walk_pages


def unique_sku() -> str:
    """A fresh SKU per test, so tests sharing the session's stack never see each other's stock."""
    return "E2E" + uuid.uuid4().hex[:12].upper()


def unique_location() -> str:
    return "L" + uuid.uuid4().hex[:8].upper()


AUTH = {"authorization": f"Bearer {ADMIN_TOKEN}"}


def restock(client: httpx.Client, sku: str, quantity: int, location: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"sku": sku, "quantity": quantity}
    if location is not None:
        body["location_code"] = location
    response = client.post("/inventory/restock", json=body)
    assert response.status_code == 201, response.text
    level: dict[str, Any] = response.json()
    return level


def assert_contract_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The contract's error shape, with `request_id` equal to the `x-request-id` header."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "request_id"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["error"]["details"] is None or isinstance(body["error"]["details"], list)
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def test_banner_shows_the_api_url_and_routes(local_stack: StackProcess) -> None:
    banner = local_stack.banner()
    assert f"API        {local_stack.base_url}\n" in banner
    for function in ["HealthFunction", "RestockFunction", "GetInventoryFunction"]:
        assert function in banner
    assert f"curl -s {local_stack.base_url}/inventory/" in banner
    # the banner block ends the startup output; function logs may follow it on stdout
    assert "\nCtrl-C to stop\n" in banner
    assert banner.index("Warehouse API local stack") < banner.index("Ctrl-C to stop")


def test_dynamodb_local_runs_as_a_child_of_the_stack(local_stack: StackProcess) -> None:
    if "(moto," in local_stack.banner():
        pytest.skip("Java missing: the stack fell back to moto's in-process server")
    jars = [pid for pid in local_stack.children if "DynamoDBLocal.jar" in command_line(pid)]
    assert len(jars) == 1


def test_health(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.headers["x-request-id"]


def test_restocks_at_one_location_add_up(client: httpx.Client) -> None:
    sku = unique_sku()
    first = restock(client, sku, 3, "A-01")
    second = restock(client, sku, 4, "A-01")
    assert (first["quantity"], first["version"]) == (3, 1)
    assert (second["quantity"], second["version"]) == (7, 2)
    assert second["id"] == first["id"]

    response = client.get(f"/inventory/{sku}")

    assert response.status_code == 200
    assert response.headers["x-request-id"]
    stock = response.json()
    assert stock["total_quantity"] == 7
    [level] = stock["levels"]
    assert level | {"updated_at": None} == {
        "id": first["id"],
        "sku": sku,
        "quantity": 7,
        "location_code": "A-01",
        "version": 2,
        "updated_at": None,
    }


def test_restock_at_a_second_location_adds_a_level(client: httpx.Client) -> None:
    sku = unique_sku()
    restock(client, sku, 5, "A-01")
    restock(client, sku, 2, "B-02")

    stock = client.get(f"/inventory/{sku}").json()

    assert stock["total_quantity"] == 7
    levels = {level["location_code"]: level for level in stock["levels"]}
    assert {code: level["quantity"] for code, level in levels.items()} == {"A-01": 5, "B-02": 2}
    assert [level["version"] for level in levels.values()] == [1, 1]
    assert levels["A-01"]["id"] != levels["B-02"]["id"]


def test_concurrent_restocks_are_served_in_parallel_and_all_counted(base_url: str) -> None:
    sku = unique_sku()

    def restock_one(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=30, headers=AUTH) as client:  # own connection
            version: int = restock(client, sku, 1, "A-01")["version"]
            return version

    with ThreadPoolExecutor(max_workers=10) as pool:
        versions = list(pool.map(restock_one, range(20)))

    assert sorted(versions) == list(range(1, 21))
    total = httpx.get(f"{base_url}/inventory/{sku}", headers=AUTH).json()["total_quantity"]
    assert total == 20


def test_pagination_at_a_location_returns_every_record_once(client: httpx.Client) -> None:
    location = unique_location()
    skus = {unique_sku() for _ in range(3)}
    for sku in skus:
        restock(client, sku, 1, location)

    items = walk_pages(client, "/inventory", {"location_code": location, "limit": 1})

    assert sorted(item["sku"] for item in items) == sorted(skus)


def test_pagination_of_all_stock_returns_every_record_once(client: httpx.Client) -> None:
    location = unique_location()
    skus = {unique_sku() for _ in range(2)}
    for sku in skus:
        restock(client, sku, 1, location)

    items = walk_pages(client, "/inventory", {"limit": 1})

    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids))
    assert skus <= {item["sku"] for item in items if item["location_code"] == location}


def test_last_page_has_a_null_cursor(client: httpx.Client) -> None:
    location = unique_location()
    restock(client, unique_sku(), 1, location)

    page = client.get("/inventory", params={"location_code": location, "limit": 1}).json()

    assert len(page["items"]) == 1
    assert page["next_cursor"] is None


def first_cursor(client: httpx.Client, location: str) -> str:
    for _ in range(2):
        restock(client, unique_sku(), 1, location)
    page = client.get("/inventory", params={"location_code": location, "limit": 1}).json()
    cursor: str = page["next_cursor"]
    assert cursor
    return cursor


def edit_cursor(cursor: str) -> str:
    """Change the position the cursor points at, keeping its signature: an edited cursor."""
    payload_text, mac = cursor.split(".")
    payload = json.loads(base64.urlsafe_b64decode(payload_text + "=" * (-len(payload_text) % 4)))
    payload["k"]["loc_sk"] = {"S": "ZZZZZZ"}
    edited = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return f"{base64.urlsafe_b64encode(edited).rstrip(b'=').decode()}.{mac}"


def test_edited_cursor_is_invalid_cursor(client: httpx.Client) -> None:
    location = unique_location()
    cursor = edit_cursor(first_cursor(client, location))

    response = client.get("/inventory", params={"location_code": location, "cursor": cursor})

    assert_contract_error(response, 400, "invalid_cursor")


def test_cursor_of_another_query_is_invalid_cursor(client: httpx.Client) -> None:
    cursor = first_cursor(client, unique_location())

    response = client.get("/inventory", params={"location_code": "OTHER", "cursor": cursor})

    assert_contract_error(response, 400, "invalid_cursor")


def test_malformed_json_is_bad_request(client: httpx.Client) -> None:
    response = client.post(
        "/inventory/restock",
        content=b'{"sku": "ABC", "quantity": ',
        headers={"content-type": "application/json"},
    )

    assert_contract_error(response, 400, "bad_request")


def test_a_streamed_chunked_body_is_served_like_any_other(client: httpx.Client) -> None:
    """A client streaming its body sends it chunked; API Gateway takes it, so does the stack."""
    sku = unique_sku()
    body = json.dumps({"sku": sku, "quantity": 3, "location_code": "A-1"}).encode()
    chunks = iter([body[:7], body[7:]])  # no length known up front: httpx sends it chunked

    response = client.post(
        "/inventory/restock", content=chunks, headers={"content-type": "application/json"}
    )

    assert response.status_code == 201, response.text
    assert response.json()["quantity"] == 3
    too_large = iter([b'{"sku": "' + b"A" * 70_000 + b'"}'])
    response = client.post(
        "/inventory/restock", content=too_large, headers={"content-type": "application/json"}
    )
    assert_contract_error(response, 413, "payload_too_large")


def test_invalid_restock_is_validation_error_per_field(client: httpx.Client) -> None:
    response = client.post("/inventory/restock", json={"sku": unique_sku(), "quantity": 0})

    body = assert_contract_error(response, 422, "validation_error")
    assert [detail["field"] for detail in body["error"]["details"]] == ["quantity"]


def test_unknown_sku_is_not_found(client: httpx.Client) -> None:
    assert_contract_error(client.get(f"/inventory/{unique_sku()}"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no/such/route"),
        ("DELETE", "/inventory/restock"),
        ("PUT", "/inventory"),
        ("TRACE", "/health"),  # methods the stdlib server has no handler for: not its 501
        ("QUERY", "/inventory"),
    ],
)
def test_unknown_route_is_not_found(client: httpx.Client, method: str, path: str) -> None:
    assert_contract_error(client.request(method, path), 404, "not_found")


def test_each_invocation_is_logged_with_function_status_and_duration(
    local_stack: StackProcess, client: httpx.Client
) -> None:
    sku = "LOG" + uuid.uuid4().hex[:8].upper()
    assert client.get(f"/inventory/{sku}").status_code == 404
    deadline = time.monotonic() + 5
    pattern = re.compile(rf"GetInventoryFunction GET /inventory/{sku} -> 404 \(\d+\.\d ms\)")
    while not pattern.search(local_stack.stderr.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pattern.search(local_stack.stderr.read_text())
