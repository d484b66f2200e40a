"""The read commands: stock, movements and the reports, as tables or `--json`.

Listings follow `next_cursor` until the end (or `--limit`), so a script gets every record in
one JSON document and never sees a cursor it would have to handle.
"""

from collections.abc import Callable
from urllib.parse import quote

from rich.table import Table

from warehouse_cli.api import ApiClient, ApiError, JsonObject, Params
from warehouse_cli.output import Output
from warehouse_cli.tables import locations_table, low_stock_table, movements_table, stock_table

MAX_PAGE_SIZE = 100  # the contract's largest `limit`
MAX_PAGES = 100_000  # a server handing out cursors forever must not hang the command


def collect(
    api: ApiClient, path: str, params: Params, limit: int | None = None
) -> tuple[list[JsonObject], str | None]:
    """Items of every page (at most `limit`) and the cursor where more would start (or None).

    Each page asks for just what is still missing, so the returned cursor continues exactly
    after the last item returned."""
    items: list[JsonObject] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        query = dict(params)
        if limit is not None:
            query["limit"] = min(MAX_PAGE_SIZE, limit - len(items))
        if cursor is not None:
            query["cursor"] = cursor
        page = api.get_json(path, query)
        items += page.get("items", [])
        cursor = page.get("next_cursor")
        if cursor is None or (limit is not None and len(items) >= limit):
            return items, cursor
    raise ApiError(200, "bad_response", f"{path}: more than {MAX_PAGES} pages")


def show_stock(api: ApiClient, output: Output, sku: str, as_json: bool) -> None:
    stock = api.get_json(f"/inventory/{quote(sku, safe='')}")
    if as_json:
        output.json(stock)
    else:
        output.show(stock_table(stock))


def show_movements(
    api: ApiClient,
    output: Output,
    sku: str | None,
    location_code: str | None,
    limit: int,
    as_json: bool,
) -> None:
    params = {"sku": sku, "location_code": location_code}
    query = {name: value for name, value in params.items() if value is not None}
    movements, cursor = collect(api, "/reports/movements", query, limit)
    if as_json:
        output.json({"items": movements, "next_cursor": cursor})
    else:
        output.show(movements_table(movements, more=cursor is not None, sku=sku))


REPORTS: dict[str, tuple[str, Callable[[list[JsonObject]], Table]]] = {
    "low-stock": ("/reports/low-stock", low_stock_table),
    "locations": ("/reports/locations", locations_table),
}


class ReportUnavailable(Exception):
    """The server has no such route yet (an older deployment): not the user's mistake."""


def show_report(api: ApiClient, output: Output, name: str, as_json: bool) -> None:
    path, table = REPORTS[name]
    try:
        items, _ = collect(api, path, {})
    except ApiError as error:
        if error.status == 404:
            raise ReportUnavailable(
                f"this API does not serve {path} yet ({error.describe()}); "
                "it needs a deployment that includes the reports"
            ) from error
        raise
    if as_json:
        output.json({"items": items})
    else:
        output.show(table(items))
