"""Listings a page at a time: `--limit` rows (following `next_cursor` as far as needed),
`--all` of them, or from `--cursor` on, where an earlier listing stopped."""

import argparse
from dataclasses import dataclass

from warehouse_cli.api import ApiClient, ApiError, JsonObject, Params
from warehouse_cli.options import bounded_int
from warehouse_cli.output import Output

MAX_PAGE_SIZE = 100  # the contract's largest `limit`
MAX_PAGES = 100_000  # a server handing out cursors forever must not hang the command
DEFAULT_ROWS = 50


@dataclass(frozen=True)
class Page:
    """The rows a listing asked for, and the cursor where more would start (None: no more)."""

    items: list[JsonObject]
    next_cursor: str | None

    def document(self) -> JsonObject:
        return {"items": self.items, "next_cursor": self.next_cursor}


def add_paging(command: argparse.ArgumentParser) -> None:
    rows = command.add_mutually_exclusive_group()
    rows.add_argument(
        "--limit",
        type=bounded_int(1, 1_000_000),
        default=DEFAULT_ROWS,
        metavar="N",
        help=f"most rows, over as many pages as needed (default {DEFAULT_ROWS})",
    )
    rows.add_argument("--all", action="store_true", help="every row, following every page")
    command.add_argument(
        "--cursor", metavar="CURSOR", help="continue where a listing stopped (its next_cursor)"
    )


def collect(
    api: ApiClient,
    path: str,
    params: Params,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page:
    """Items of every page from `cursor` on (at most `limit`; None: all of them).

    Each page asks for just what is still missing, so the returned cursor continues exactly
    after the last item returned."""
    items: list[JsonObject] = []
    for _ in range(MAX_PAGES):
        query = dict(params)
        query["limit"] = MAX_PAGE_SIZE if limit is None else min(MAX_PAGE_SIZE, limit - len(items))
        if cursor is not None:
            query["cursor"] = cursor
        page = api.get_json(path, query)
        items += page.get("items", [])
        cursor = page.get("next_cursor")
        if cursor is None or (limit is not None and len(items) >= limit):
            return Page(items, cursor)
    raise ApiError(200, "bad_response", f"{path}: more than {MAX_PAGES} pages")


def collect_listing(api: ApiClient, path: str, params: Params, args: argparse.Namespace) -> Page:
    """`collect` as the paging options ask."""
    limit: int | None = None if args.all else args.limit
    return collect(api, path, params, limit, args.cursor)


def tell_more(output: Output, page: Page) -> None:
    """Where the next page starts, on stderr (JSON carries it as `next_cursor`)."""
    if page.next_cursor is not None:
        output.note(f"More rows: add --cursor {page.next_cursor} (or --all for every row).")
