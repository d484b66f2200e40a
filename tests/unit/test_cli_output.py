"""Read commands: tables for people, one JSON document for scripts, every page followed,
contract errors shown as code and message with a non-zero exit."""

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from warehouse_cli.app import run

ENV = {"WAREHOUSE_URL": "http://api.test/v1", "WAREHOUSE_TOKEN": "tok"}
Handler = Callable[[httpx.Request], httpx.Response]

STOCK = {
    "sku": "ABC1",
    "total_quantity": 1234,
    "levels": [
        {
            "id": 1,
            "sku": "ABC1",
            "quantity": 1200,
            "location_code": "A-01",
            "updated_at": "2026-01-01T10:00:00Z",
            "version": 3,
        },
        {
            "id": 2,
            "sku": "ABC1",
            "quantity": 34,
            "location_code": None,
            "updated_at": "2026-01-01T11:00:00Z",
            "version": 1,
        },
    ],
}


def movement(n: int) -> dict[str, Any]:
    return {
        "movement_id": f"ABC1@A-01#{n}",
        "type": "restock",
        "sku": "ABC1",
        "location_code": "A-01",
        "delta": 5,
        "quantity_after": 5 * n,
        "actor": "ops",
        "reason": None,
        "reference": f"[bold]PO-{n}",  # data that looks like rich markup stays text
        "request_id": f"r-{n}",
        "occurred_at": "2026-01-01T10:00:00Z",
    }


def contract_error(status: int, code: str, message: str) -> httpx.Response:
    body = {"error": {"code": code, "message": message, "details": None}, "request_id": "r-7"}
    return httpx.Response(status, json=body)


def cli(argv: list[str], handler: Handler, env: dict[str, str] = ENV) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    transport = httpx.MockTransport(handler)
    code = run(argv, env=env, stdout=out, stderr=err, transport=transport, width=200)
    return code, out.getvalue(), err.getvalue()


def serve(path: str, body: dict[str, Any]) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == path
        return httpx.Response(200, json=body)

    return handle


class PagedMovements:
    """`/reports/movements` with `total` movements, paged by `limit` and an opaque cursor."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/reports/movements"
        query = dict(request.url.params)
        self.queries.append(query)
        start = int(query.get("cursor", "c0")[1:])
        end = min(self.total, start + int(query.get("limit", "50")))
        cursor = f"c{end}" if end < self.total else None
        items = [movement(n) for n in range(start, end)]
        return httpx.Response(200, json={"items": items, "next_cursor": cursor})


def test_stock_is_a_table_with_every_location() -> None:
    code, out, _ = cli(["stock", "ABC1"], serve("/v1/inventory/ABC1", STOCK))
    assert code == 0
    assert "ABC1: 1,234 on hand" in out
    assert "A-01" in out and "1,200" in out
    assert "(unassigned)" in out and "34" in out


def test_stock_json_is_the_api_document() -> None:
    code, out, _ = cli(["stock", "ABC1", "--json"], serve("/v1/inventory/ABC1", STOCK))
    assert code == 0
    assert json.loads(out) == STOCK


def test_a_sku_that_is_no_sku_is_refused_before_any_request() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    code, out, err = cli(["stock", "../tokens"], never)
    assert (code, out) == (2, "")
    assert "sku '../tokens' must be 3-20 characters" in err


def test_movements_follow_every_page_up_to_the_limit() -> None:
    api = PagedMovements(total=260)
    code, out, _ = cli(["movements", "--limit", "250", "--json"], api)
    assert code == 0
    document = json.loads(out)
    assert [item["movement_id"] for item in document["items"]] == [
        f"ABC1@A-01#{n}" for n in range(250)
    ]
    assert document["next_cursor"] == "c250"  # exactly where the next one starts
    assert [query.get("limit") for query in api.queries] == ["100", "100", "50"]
    assert [query.get("cursor") for query in api.queries] == [None, "c100", "c200"]


def test_movements_stop_at_the_last_page() -> None:
    api = PagedMovements(total=120)
    code, out, _ = cli(["movements", "--limit", "1000", "--json"], api)
    assert (code, len(json.loads(out)["items"]), json.loads(out)["next_cursor"]) == (0, 120, None)
    assert len(api.queries) == 2


def test_movement_filters_are_sent_and_the_table_shows_the_rows() -> None:
    api = PagedMovements(total=3)
    code, out, _ = cli(["movements", "--sku", "ABC1", "--location", "A-01"], api)
    assert code == 0
    assert api.queries == [{"sku": "ABC1", "location_code": "A-01", "limit": "50"}]
    assert out.count("restock") == 3
    assert "+5" in out and "[bold]PO-2" in out
    assert "3 movements" in out


def test_reports_as_tables_and_json() -> None:
    low = {"items": [{"sku": "ABC1", "name": "Widget", "total_quantity": 3, "reorder_point": 10}]}
    code, out, _ = cli(["report", "low-stock"], serve("/v1/reports/low-stock", low))
    assert code == 0
    assert "Widget" in out and "10" in out
    code, out, _ = cli(["report", "low-stock", "--json"], serve("/v1/reports/low-stock", low))
    assert json.loads(out) == low
    places = {
        "items": [
            {"location_code": "A-01", "sku_count": 2, "total_quantity": 1500},
            {"location_code": None, "sku_count": 1, "total_quantity": 4},
        ]
    }
    code, out, _ = cli(["report", "locations"], serve("/v1/reports/locations", places))
    assert code == 0
    assert "A-01" in out and "1,500" in out and "(unassigned)" in out
    code, out, _ = cli(["report", "locations", "--json"], serve("/v1/reports/locations", places))
    assert json.loads(out) == places


def test_a_paged_report_is_followed_too() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if "cursor" not in request.url.params:
            first = {"location_code": "A", "sku_count": 1, "total_quantity": 1}
            return httpx.Response(200, json={"items": [first], "next_cursor": "x"})
        second = {"location_code": "B", "sku_count": 1, "total_quantity": 2}
        return httpx.Response(200, json={"items": [second], "next_cursor": None})

    code, out, _ = cli(["report", "locations", "--json"], handle)
    assert code == 0
    assert [item["location_code"] for item in json.loads(out)["items"]] == ["A", "B"]


@pytest.mark.parametrize("report", ["low-stock", "locations"])
def test_a_server_without_the_report_route_is_explained(report: str) -> None:
    def no_route(request: httpx.Request) -> httpx.Response:
        return contract_error(404, "not_found", "No route matches this method and path.")

    code, out, err = cli(["report", report, "--json"], no_route)
    assert code == 1
    assert out == ""
    assert f"does not serve /reports/{report} yet" in err
    assert "not_found: No route matches this method and path." in err


def test_api_errors_show_code_message_and_request_id() -> None:
    code, out, err = cli(
        ["stock", "NOPE1"], lambda _: contract_error(404, "not_found", "SKU NOPE1 is not known.")
    )
    assert code == 1
    assert out == ""
    assert "not_found: SKU NOPE1 is not known." in err
    assert "HTTP 404" in err and "r-7" in err


def test_an_unknown_token_is_an_api_error() -> None:
    code, _, err = cli(["stock", "ABC1"], lambda _: contract_error(401, "unauthorized", "No."))
    assert (code, "unauthorized: No." in err) == (1, True)


def test_a_missing_token_is_a_usage_error_before_any_request() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    code, _, err = cli(["stock", "ABC1"], never, env={"WAREHOUSE_URL": "http://api.test"})
    assert code == 2
    assert "WAREHOUSE_TOKEN" in err


def test_options_go_before_or_after_the_command_and_beat_the_environment() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=STOCK)

    argv = ["--url", "http://other.test", "stock", "ABC1", "--token", "t2", "--json"]
    assert cli(argv, handle)[0] == 0
    assert str(seen[0].url) == "http://other.test/inventory/ABC1"
    assert seen[0].headers["authorization"] == "Bearer t2"


def test_a_malformed_url_is_a_usage_error() -> None:
    code, _, err = cli(["--url", "api.test", "stock", "ABC1"], serve("/", STOCK))
    assert code == 2 and "not an http(s) URL" in err


# Global options, formats, listings and the terminal's width


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "stock", "ABC1"],
        ["stock", "--json", "ABC1"],
        ["stock", "ABC1", "--json"],
        ["--url", "http://api.test/v1", "--json", "stock", "ABC1", "--token", "tok"],
    ],
)
def test_global_options_go_anywhere_on_the_line(argv: list[str]) -> None:
    code, out, err = cli(argv, serve("/v1/inventory/ABC1", STOCK))
    assert code == 0, err
    assert json.loads(out) == STOCK


@pytest.mark.parametrize(
    "argv",
    [
        ["--csv", "items", "get", "ABC1"],
        ["items", "--csv", "get", "ABC1"],
        ["items", "get", "--csv", "ABC1"],
        ["items", "get", "ABC1", "--csv"],
    ],
)
def test_global_options_go_anywhere_in_a_command_with_actions(argv: list[str]) -> None:
    item = {"sku": "ABC1", "name": "Widget", "description": None, "unit": "each"}
    code, out, err = cli(argv, serve("/v1/items/ABC1", item | {"reorder_point": 3}))
    assert code == 0, err
    assert out.splitlines()[1].startswith("ABC1,Widget,,each,3,")


def test_json_and_csv_exclude_each_other() -> None:
    code, out, err = cli(["--json", "stock", "ABC1", "--csv"], serve("/", STOCK))
    assert (code, out) == (2, "")
    assert "--json and --csv exclude each other" in err


def test_version_needs_no_token() -> None:
    code, out, _ = cli(["--version"], serve("/", STOCK), env={})
    assert code == 0
    assert re.fullmatch(r"warehouse \d+\.\d+\.\d+\n", out)


def test_report_without_a_kind_lists_the_kinds_without_asking_the_api() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    code, out, _ = cli(["report"], never, env={})
    assert code == 0
    assert "low-stock" in out and "locations" in out
    code, out, _ = cli(["report", "--csv"], never, env={})
    assert [line.split(",")[0] for line in out.splitlines()] == ["kind", "low-stock", "locations"]


def test_movement_filters_go_to_the_api_with_times_in_utc() -> None:
    api = PagedMovements(total=1)
    argv = ["movements", "--type", "pick", "--since", "2026-01-31", "--until"]
    code, _, err = cli([*argv, "2026-02-01T10:00:00+02:00"], api)
    assert code == 0, err
    assert api.queries == [
        {
            "type": "pick",
            "since": "2026-01-31T00:00:00Z",
            "until": "2026-02-01T08:00:00Z",
            "limit": "50",
        }
    ]


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["movements", "--type", "move"], "invalid choice: 'move'"),
        (["movements", "--since", "yesterday"], "'yesterday' is not an ISO-8601 time"),
        (["movements", "--all", "--limit", "5"], "not allowed with argument"),
    ],
)
def test_bad_movement_filters_send_nothing(argv: list[str], complaint: str) -> None:
    api = PagedMovements(total=1)
    code, _, err = cli(argv, api)
    assert code == 2 and complaint in err
    assert api.queries == []


def test_movements_all_follows_every_page_to_the_end() -> None:
    api = PagedMovements(total=260)
    code, out, err = cli(["movements", "--all", "--json"], api)
    assert code == 0
    document = json.loads(out)
    assert (len(document["items"]), document["next_cursor"]) == (260, None)
    assert [query.get("cursor") for query in api.queries] == [None, "c100", "c200"]
    assert "--cursor" not in err


def test_movements_cursor_continues_where_a_listing_stopped() -> None:
    api = PagedMovements(total=130)
    code, out, err = cli(["movements", "--limit", "60"], api)
    assert code == 0
    assert "More rows: add --cursor c60" in err
    code, out, err = cli(["movements", "--cursor", "c60", "--csv"], api)
    rows = out.splitlines()
    assert rows[0].startswith("movement_id,type,sku,location_code,delta,quantity_after,")
    assert [row.split(",")[0] for row in rows[1:]] == [f"ABC1@A-01#{n}" for n in range(60, 110)]
    assert "More rows: add --cursor c110" in err


LISTINGS: dict[str, tuple[list[str], str, dict[str, Any], int]] = {
    "stock": (["stock", "ABC1"], "/v1/inventory/ABC1", STOCK, 2),
    "movements": (["movements"], "/v1/reports/movements", {"items": [movement(1)]}, 1),
    "items": (
        ["items", "list"],
        "/v1/items",
        {"items": [{"sku": "ABC1", "name": "a, b", "unit": "each"}], "next_cursor": None},
        1,
    ),
    "tokens": (
        ["tokens", "list"],
        "/v1/tokens",
        {"items": [{"token_id": "tok_1", "name": "ops", "role": "admin", "created_at": "t"}]},
        1,
    ),
    "low-stock": (
        ["report", "low-stock"],
        "/v1/reports/low-stock",
        {"items": [{"sku": "ABC1", "name": "W", "total_quantity": 1, "reorder_point": 2}]},
        1,
    ),
    "locations": (
        ["report", "locations"],
        "/v1/reports/locations",
        {"items": [{"location_code": None, "sku_count": 1, "total_quantity": 4}]},
        1,
    ),
}


@pytest.mark.parametrize("listing", LISTINGS, ids=str)
def test_every_listing_prints_csv_with_a_header(listing: str) -> None:
    argv, path, body, rows = LISTINGS[listing]
    code, out, err = cli([*argv, "--csv"], serve(path, body))
    assert code == 0, err
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert len(parsed) == rows
    items = body["levels"] if "levels" in body else body["items"]
    assert isinstance(items, list)
    for key, value in items[0].items():
        assert parsed[0][key] == ("" if value is None else str(value))


def wide_movement(n: int) -> dict[str, Any]:
    """As wide as a movement gets, but for quantities in the millions."""
    return movement(n) | {
        "sku": "SKU" + "9" * 17,
        "type": "transfer_out",
        "location_code": None,
        "delta": -1_000,
        "quantity_after": 125_000,
        "actor": "night-shift-scanner-gun-17",
        "reason": "cycle_count",
        "reference": "REF-" + "x" * 40,
        "transfer_id": "0f" * 16,
    }


def table_lines(argv: list[str], width: int, handler: Handler) -> list[str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(
        argv, env=ENV, stdout=out, stderr=err, transport=httpx.MockTransport(handler), width=width
    )
    assert code == 0, err.getvalue()
    return out.getvalue().splitlines()


@pytest.mark.parametrize("width", [80, 200])
def test_the_movements_table_fits_the_terminal(width: int) -> None:
    page = {"items": [wide_movement(n) for n in range(3)], "next_cursor": None}
    lines = table_lines(["movements"], width, serve("/v1/reports/movements", page))
    assert max(len(line) for line in lines) <= width
    rows = [line for line in lines if "transfer_out" in line]
    assert len(rows) == 3  # codes and quantities are never wrapped
    for row in rows:
        for whole in ["2026-01-01", "SKU" + "9" * 17, "(unassigned)", "-1,000", "125,000"]:
            assert whole in row
    text = "\n".join(lines)
    assert text.count("10:00:00") == 3  # beside the date, or under it at 80 columns
    if width == 80:
        assert "night-shift" not in text
        assert "not shown at this width: Actor, Note, Transfer" in " ".join(text.split())
    else:
        assert "night-shift-scanner-gun-17" in text and "0f" * 16 in text
        assert "not shown" not in text


@pytest.mark.parametrize("width", [80, 200])
def test_the_items_table_fits_the_terminal(width: int) -> None:
    item = {
        "sku": "SKU" + "9" * 17,
        "name": "A rather long item name that a buyer typed in",
        "description": "Long description " * 5,
        "unit": "pallet of 48",
        "reorder_point": 1_000_000,
        "created_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-02T10:00:00Z",
        "version": 12,
    }
    body = {"items": [item], "next_cursor": None}
    lines = table_lines(["items", "list"], width, serve("/v1/items", body))
    assert max(len(line) for line in lines) <= width
    text = "\n".join(lines)
    assert "SKU" + "9" * 17 in text and "1,000,000" in text
    assert ("Long description" in text) == (width == 200)
