"""GET /inventory: pages that walk every record once, cursors bound to their query."""

import uuid

import pytest

from tests.support.api import Api


@pytest.fixture(scope="module")
def stocked(api: Api) -> dict[str, list[tuple[str, str]]]:
    """Seven records at location L-<run>, three at M-<run>, under SKUs unique to this module."""
    run = uuid.uuid4().hex[:5].upper()
    records: dict[str, list[tuple[str, str]]] = {f"L-{run}": [], f"M-{run}": []}
    for location, count in ((f"L-{run}", 7), (f"M-{run}", 3)):
        for n in range(count):
            sku = f"P{run}{n}"
            api.call(
                "POST",
                "/inventory/restock",
                {"sku": sku, "quantity": n + 1, "location_code": location},
            )
            records[location].append((sku, location))
    return records


def walk(api: Api, query: str) -> tuple[list[tuple[str, str]], int]:
    seen: list[tuple[str, str]] = []
    cursor, pages = None, 0
    while True:
        page = api.call("GET", "/inventory", query=query + (f"&cursor={cursor}" if cursor else ""))
        assert page.status == 200, page.body
        pages += 1
        seen += [(item["sku"], item["location_code"]) for item in page.body["items"]]
        cursor = page.body["next_cursor"]
        if cursor is None:
            return seen, pages


def test_location_pages_walk_every_record_once(
    api: Api, stocked: dict[str, list[tuple[str, str]]]
) -> None:
    location = next(iter(stocked))
    seen, pages = walk(api, f"location_code={location}&limit=3")
    assert seen == stocked[location]
    assert pages == 3  # 3 + 3 + 1: the last page is not followed by an empty one


def test_exact_multiple_ends_without_an_empty_page(
    api: Api, stocked: dict[str, list[tuple[str, str]]]
) -> None:
    location = list(stocked)[1]
    seen, pages = walk(api, f"location_code={location}&limit=3")
    assert (len(seen), pages) == (3, 1)


def test_unfiltered_list_holds_every_location(
    api: Api, stocked: dict[str, list[tuple[str, str]]]
) -> None:
    seen, _ = walk(api, "limit=4")
    expected = [record for records in stocked.values() for record in records]
    assert [record for record in seen if record in expected] == sorted(expected)
    assert len(seen) == len(set(seen))


def test_default_limit_is_50(api: Api, stocked: dict[str, list[tuple[str, str]]]) -> None:
    page = api.call("GET", "/inventory")
    assert page.status == 200
    assert len(page.body["items"]) <= 50


@pytest.mark.parametrize("edit", ["flip", "other-query", "garbage"])
def test_bad_cursor_is_400(api: Api, stocked: dict[str, list[tuple[str, str]]], edit: str) -> None:
    first, second = list(stocked)
    cursor = api.call("GET", "/inventory", query=f"location_code={first}&limit=2").body[
        "next_cursor"
    ]
    query = f"location_code={first}&limit=2"
    if edit == "flip":
        cursor = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    elif edit == "other-query":
        query = f"location_code={second}&limit=2"
    else:
        cursor = "not-a-cursor"
    result = api.call("GET", "/inventory", query=f"{query}&cursor={cursor}")
    assert result.status == 400
    assert result.body["error"]["code"] == "invalid_cursor"
