"""`/reports/movements` filters on moto: type, the half-open time window, their combination with
SKU and location, full pages despite the type filter, exactly-once paging, and refusals."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.api import Api
from warehouse_inventory.dal import dynamodb
from warehouse_inventory.dal.clients import dynamodb_client
from warehouse_inventory.domain.stock import MovementType, movement_id
from warehouse_inventory.schemas.movements import MovementMessage
from warehouse_inventory.wiring import audit_repository

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
TYPES = [MovementType.RESTOCK, MovementType.PICK, MovementType.ADJUST]


def record(sku: str, location: str, version: int, kind: MovementType, at: datetime) -> None:
    message = MovementMessage(
        movement_id=movement_id(sku, location, version),
        type=kind,
        sku=sku,
        location_code=location,
        delta=1,
        quantity_after=version,
        actor="filter-test",
        request_id=f"req-{sku}-{version}",
        occurred_at=at,
        version=version,
    )
    assert audit_repository().record(message)


@pytest.fixture(scope="module")
def history(api: Api) -> tuple[str, list[dict[str, Any]]]:
    """One SKU's 24 movements at two locations, a minute apart, types in turn; returned as the
    rows the API lists unfiltered (newest first)."""
    sku = "FLT" + uuid.uuid4().hex[:6].upper()
    for n in range(24):
        location = "A-1" if n % 2 else "B-2"
        record(sku, location, n + 1, TYPES[n % 3], START + timedelta(minutes=n))
    return sku, walk(api, f"sku={sku}")


def walk(api: Api, query: str, limit: int = 3) -> list[dict[str, Any]]:
    """Every row of the query, page by page; every page but the last must be full."""
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(200):
        page = api.call(
            "GET",
            "/reports/movements",
            query=f"{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else ""),
            token="viewer",
        )
        assert page.status == 200, page.body
        rows += page.body["items"]
        cursor = page.body["next_cursor"]
        if cursor is None:
            return rows
        assert len(page.body["items"]) == limit, "a page before the last is short"
    pytest.fail("pagination did not end")


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["movement_id"] for row in rows]


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def occurred(row: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(row["occurred_at"])


def test_unfiltered_history_is_newest_first(history: tuple[str, list[dict[str, Any]]]) -> None:
    _, rows = history
    assert len(rows) == 24
    assert [occurred(row) for row in rows] == sorted((occurred(r) for r in rows), reverse=True)


@pytest.mark.parametrize("kind", [str(kind) for kind in TYPES])
def test_type_returns_every_movement_of_that_type_once(
    api: Api, history: tuple[str, list[dict[str, Any]]], kind: str
) -> None:
    sku, rows = history
    expected = [row for row in rows if row["type"] == kind]
    assert expected
    assert ids(walk(api, f"sku={sku}&type={kind}")) == ids(expected)


def test_since_is_inclusive_and_until_exclusive(
    api: Api, history: tuple[str, list[dict[str, Any]]]
) -> None:
    sku, rows = history
    since, until = START + timedelta(minutes=5), START + timedelta(minutes=11)
    found = walk(api, f"sku={sku}&since={stamp(since)}&until={stamp(until)}")
    assert ids(found) == ids([row for row in rows if since <= occurred(row) < until])
    assert [occurred(row) for row in found][-1] == since  # the movement at `since` is in
    assert until not in [occurred(row) for row in found]  # the one at `until` is not


def test_one_sided_windows(api: Api, history: tuple[str, list[dict[str, Any]]]) -> None:
    sku, rows = history
    bound = START + timedelta(minutes=20)
    assert ids(walk(api, f"sku={sku}&since={stamp(bound)}")) == ids(
        [row for row in rows if occurred(row) >= bound]
    )
    assert ids(walk(api, f"sku={sku}&until={stamp(bound)}")) == ids(
        [row for row in rows if occurred(row) < bound]
    )


def test_an_offset_is_the_same_instant_as_its_utc_time(
    api: Api, history: tuple[str, list[dict[str, Any]]]
) -> None:
    sku, _ = history
    utc = walk(api, f"sku={sku}&since=2026-03-01T08:10:00Z")
    shifted = walk(api, f"sku={sku}&since=2026-03-01T10:10:00%2B02:00")
    assert ids(utc) == ids(shifted) and len(utc) == 14


def test_every_filter_combines(api: Api, history: tuple[str, list[dict[str, Any]]]) -> None:
    sku, rows = history
    since, until = START + timedelta(minutes=2), START + timedelta(minutes=21)
    query = f"sku={sku}&location_code=A-1&type=pick&since={stamp(since)}&until={stamp(until)}"
    expected = [
        row
        for row in rows
        if row["location_code"] == "A-1"
        and row["type"] == "pick"
        and since <= occurred(row) < until
    ]
    assert expected
    assert ids(walk(api, query, limit=1)) == ids(expected)


def test_location_and_type_without_sku(api: Api) -> None:
    location = "L" + uuid.uuid4().hex[:6].upper()
    for n in range(6):
        record(f"LOC{n}X", location, 1, TYPES[n % 3], START + timedelta(seconds=n))
    found = walk(api, f"location_code={location}&type=adjust", limit=1)
    assert [row["sku"] for row in found] == ["LOC5X", "LOC2X"]


def test_a_rare_type_fills_its_pages_beyond_one_read(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The type is a filter applied after DynamoDB's Limit: the page keeps reading until full."""
    monkeypatch.setattr(dynamodb, "FILTERED_READ_BATCH", 4)
    sku = "RARE" + uuid.uuid4().hex[:6].upper()
    for n in range(30):  # adjusts at 0, 10, 20; everything else a restock
        kind = MovementType.ADJUST if n % 10 == 0 else MovementType.RESTOCK
        record(sku, "A-1", n + 1, kind, START + timedelta(seconds=n))
    found = walk(api, f"sku={sku}&type=adjust", limit=2)
    assert [row["quantity_after"] for row in found] == [21, 11, 1]


def test_a_search_past_its_read_budget_answers_a_short_page_and_goes_on(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page evaluates at most FILTERED_READ_BUDGET rows: then it may be short, even empty,
    but its cursor goes on and walking every page still finds each match once."""
    monkeypatch.setattr(dynamodb, "FILTERED_READ_BATCH", 5)
    monkeypatch.setattr(dynamodb, "FILTERED_READ_BUDGET", 5)
    sku = "BDG" + uuid.uuid4().hex[:6].upper()
    for n in range(23):
        kind = MovementType.PICK if n in {0, 1, 2} else MovementType.RESTOCK
        record(sku, "A-1", n + 1, kind, START + timedelta(seconds=n))
    pages, cursor = [], None
    while True:
        query = f"sku={sku}&type=pick&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", "/reports/movements", query=query, token="viewer")
        assert page.status == 200, page.body
        pages.append([row["quantity_after"] for row in page.body["items"]])
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert pages[0] == []  # the 20 newest rows are restocks: the first page gives up early
    assert [n for page in pages for n in page] == [3, 2, 1]
    assert len(pages) <= 23 // 5 + 2


def test_each_page_of_a_filtered_query_reads_only_what_it_needs(
    api: Api, history: tuple[str, list[dict[str, Any]]]
) -> None:
    """The window is a key condition (nothing outside it is read) and the SKU picks its index."""
    sku, _ = history
    calls: list[dict[str, Any]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    events = dynamodb_client().meta.events
    events.register("provide-client-params.dynamodb.Query", capture)
    try:
        page = api.call(
            "GET",
            "/reports/movements",
            query=f"sku={sku}&type=pick&since={stamp(START)}&limit=2",
            token="viewer",
        )
    finally:
        events.unregister("provide-client-params.dynamodb.Query", capture)
    assert page.status == 200
    (query,) = calls
    assert query["IndexName"] == "by_sku"
    assert "sort_key >= :since" in query["KeyConditionExpression"]
    assert query["FilterExpression"] == "#type = :type"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=transfer", "type"),
        ("type=PICK", "type"),
        ("since=yesterday", "since"),
        ("since=2026-03-01", "since"),  # a date, not an instant
        ("since=2026-03-01T08:00:00", "since"),  # no zone
        ("until=1772352000", "until"),  # Unix seconds
        ("since=0001-01-01T00:00:00%2B01:00", "since"),  # before year 1 in UTC
        ("since=2026-03-01T09:00:00Z&until=2026-03-01T09:00:00Z", "until"),  # empty window
        ("since=2026-03-01T10:00:00Z&until=2026-03-01T09:00:00Z", "until"),  # swapped
    ],
)
def test_malformed_filters_are_validation_errors(api: Api, query: str, field: str) -> None:
    result = api.call("GET", "/reports/movements", query=query, token="viewer")
    assert (result.status, result.body["error"]["code"]) == (422, "validation_error")
    assert [detail["field"] for detail in result.body["error"]["details"]] == [field]


def test_a_cursor_works_only_with_its_own_filters(
    api: Api, history: tuple[str, list[dict[str, Any]]]
) -> None:
    sku, _ = history
    first = api.call("GET", "/reports/movements", query=f"sku={sku}&type=pick&limit=2")
    cursor = first.body["next_cursor"]
    assert cursor
    later = "until=2030-01-01T00:00:00Z"
    for other in ("type=adjust", f"type=pick&since={stamp(START)}", f"type=pick&{later}"):
        result = api.call("GET", "/reports/movements", query=f"sku={sku}&{other}&cursor={cursor}")
        assert (result.status, result.body["error"]["code"]) == (400, "invalid_cursor"), other
