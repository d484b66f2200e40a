"""The projection reports page like every list: `limit` 1-100 (default 50), a signed cursor bound
to its report, every line exactly once, low stock by SKU and locations by code."""

import uuid
from typing import Any

import pytest

from tests.support.api import Api
from warehouse_inventory.domain.reports import StockChange
from warehouse_inventory.wiring import projection_repository

REPORTS = ["/reports/low-stock", "/reports/locations"]


@pytest.fixture(scope="module")
def lines(api: Api) -> tuple[list[str], list[str]]:
    """Seven SKUs low on stock (reorder point 5, nothing on hand) and seven location summaries
    (as the projector writes them), one of them of unassigned stock."""
    tag = uuid.uuid4().hex[:6].upper()
    skus = [f"PG{tag}{n}" for n in range(7)]
    locations = [f"P{tag}{n}" for n in range(6)]
    for sku in skus:
        assert api.call("PUT", f"/items/{sku}", {"name": sku, "reorder_point": 5}).status == 201
    for n, location in enumerate([*locations, None]):
        assert projection_repository().apply(StockChange(skus[n], location, 1, 1))
    return skus, locations


def walk(api: Api, path: str, limit: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", path, query=query, token="viewer")
        assert page.status == 200, page.body
        assert len(page.body["items"]) <= limit
        rows += page.body["items"]
        cursor = page.body["next_cursor"]
        if cursor is None:
            return rows
        assert len(page.body["items"]) == limit
    pytest.fail("pagination did not end")


@pytest.mark.parametrize("limit", [1, 3, 100])
def test_low_stock_pages_return_each_sku_once_by_sku(
    api: Api, lines: tuple[list[str], list[str]], limit: int
) -> None:
    skus, _ = lines
    found = [row["sku"] for row in walk(api, "/reports/low-stock", limit)]
    assert [sku for sku in found if sku in skus] == skus
    assert found == sorted(found) and len(found) == len(set(found))


@pytest.mark.parametrize("limit", [1, 4, 100])
def test_location_pages_return_each_location_once_unassigned_last(
    api: Api, lines: tuple[list[str], list[str]], limit: int
) -> None:
    _, locations = lines
    found = [row["location_code"] for row in walk(api, "/reports/locations", limit)]
    assert [code for code in found if code in locations] == locations
    assert found[-1] is None and found.count(None) == 1
    coded = [code for code in found if code is not None]
    assert coded == sorted(coded) and len(coded) == len(set(coded))


@pytest.mark.parametrize("path", REPORTS)
def test_the_default_page_is_fifty_lines(api: Api, path: str) -> None:
    page = api.call("GET", path, token="viewer")
    assert page.status == 200
    assert len(page.body["items"]) <= 50
    assert set(page.body) == {"items", "next_cursor"}


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("limit", ["0", "101", "x"])
def test_a_limit_outside_1_to_100_is_a_validation_error(api: Api, path: str, limit: str) -> None:
    result = api.call("GET", path, query=f"limit={limit}", token="viewer")
    assert (result.status, result.body["error"]["code"]) == (422, "validation_error")
    assert [detail["field"] for detail in result.body["error"]["details"]] == ["limit"]


@pytest.mark.parametrize("path", REPORTS)
def test_an_edited_or_foreign_cursor_is_invalid(
    api: Api, lines: tuple[list[str], list[str]], path: str
) -> None:
    cursor = api.call("GET", path, query="limit=1").body["next_cursor"]
    assert cursor
    other = REPORTS[1 - REPORTS.index(path)]
    payload, mac = cursor.split(".")
    edited = ("A" if payload[0] != "A" else "B") + payload[1:] + "." + mac
    for target, sent in [(other, cursor), (path, edited)]:
        result = api.call("GET", target, query=f"limit=1&cursor={sent}")
        assert (result.status, result.body["error"]["code"]) == (400, "invalid_cursor")
