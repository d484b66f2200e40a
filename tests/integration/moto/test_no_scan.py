"""No request path scans: every route's DynamoDB calls are recorded and none may be a Scan; list
routes and reports make at most one Query per page."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.api import Api
from tests.support.contract_access import api_routes, concrete_path
from warehouse_devstack.template import ApiRoute, load_template
from warehouse_inventory.dal.clients import dynamodb_client
from warehouse_inventory.domain.reports import StockChange
from warehouse_inventory.domain.stock import MovementType
from warehouse_inventory.schemas.movements import MovementMessage
from warehouse_inventory.wiring import audit_repository, projection_repository

PAGED_OR_REPORT = {
    "/inventory",
    "/items",
    "/reports/movements",
    "/reports/low-stock",
    "/reports/locations",
}
ROUTES = api_routes(load_template())


@pytest.fixture
def dynamodb_calls(api: Api) -> Iterator[list[str]]:
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events = dynamodb_client().meta.events
    events.register("before-parameter-build.dynamodb", record)
    yield calls
    events.unregister("before-parameter-build.dynamodb", record)


@pytest.fixture(scope="module")
def stocked(api: Api) -> str:
    """Some data everywhere, so every list route has more than one page of two: stock, items
    low on stock, and the location summaries the projector would write."""
    sku = "NS" + uuid.uuid4().hex[:8].upper()
    for n in range(4):
        location = f"NS-{n}"
        api.call(
            "POST",
            "/inventory/restock",
            {"sku": f"{sku}{n}", "quantity": 1, "location_code": location},
        )
        api.call("PUT", f"/items/{sku}{n}", {"name": "low", "reorder_point": 5})
        projection_repository().apply(StockChange(f"{sku}{n}", location, 1, 1))
        audit_repository().record(
            MovementMessage(
                movement_id=f"{sku}{n}@{location}#1",
                type=MovementType.RESTOCK,
                sku=f"{sku}{n}",
                location_code=location,
                delta=1,
                quantity_after=1,
                actor="test",
                request_id=f"req-{n}",
                occurred_at=datetime.now(UTC),
                version=1,
            )
        )
    return sku


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_no_route_scans(api: Api, stocked: str, dynamodb_calls: list[str], route: ApiRoute) -> None:
    api.call(route.method, concrete_path(route.path), body={})
    assert "Scan" not in dynamodb_calls


@pytest.mark.parametrize("path", sorted(PAGED_OR_REPORT))
def test_lists_and_reports_make_one_query_per_page(
    api: Api, stocked: str, dynamodb_calls: list[str], path: str
) -> None:
    result = api.call("GET", path, query="limit=2")
    assert result.status == 200, result.body
    table_calls = [call for call in dynamodb_calls if call != "GetItem"]  # the authorizer's lookup
    assert table_calls == ["Query"]
    assert result.body["next_cursor"], "the page was not limited"
