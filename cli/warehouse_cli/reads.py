"""The read commands: stock, movements, the reports and whoami.

`movements` shows `--limit` rows (following pages as needed), `--all` of them, or continues
from `--cursor`; the reports are short summaries and always follow every page.
"""

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from warehouse_cli.api import ApiClient, ApiError, JsonObject
from warehouse_cli.commands import Command, Offline, done
from warehouse_cli.options import Commands, add_command, location_code, sku
from warehouse_cli.output import Output, Rows
from warehouse_cli.paging import add_paging, collect, collect_listing, tell_more
from warehouse_cli.tables import (
    Sheet,
    locations_sheet,
    low_stock_sheet,
    movements_sheet,
    record_details,
    stock_sheet,
)
from warehouse_inventory.domain.stock import MovementType

LEVEL_COLUMNS = ("id", "sku", "location_code", "quantity", "version", "updated_at")
MOVEMENT_COLUMNS = (
    "movement_id",
    "type",
    "sku",
    "location_code",
    "delta",
    "quantity_after",
    "actor",
    "reason",
    "reference",
    "request_id",
    "transfer_id",
    "occurred_at",
)
CALLER_LABELS = {"token_id": "Token id", "name": "Name", "role": "Role"}


@dataclass(frozen=True)
class Report:
    path: str
    description: str
    columns: tuple[str, ...]
    sheet: Callable[[list[JsonObject]], Sheet]


REPORTS = {
    "low-stock": Report(
        "/reports/low-stock",
        "SKUs whose stock is at or below their reorder point",
        ("sku", "name", "total_quantity", "reorder_point"),
        low_stock_sheet,
    ),
    "locations": Report(
        "/reports/locations",
        "per location, the SKUs held there and their total quantity",
        ("location_code", "sku_count", "total_quantity"),
        locations_sheet,
    ),
}


class ReportUnavailable(Exception):
    """The server has no such route yet (an older deployment): not the user's mistake."""


def register(commands: Commands) -> None:
    stock = add_command(commands, "stock", "a SKU's stock per location")
    stock.add_argument("sku", type=sku, metavar="SKU")
    stock.set_defaults(factory=lambda args: done(lambda api, out: show_stock(api, out, args.sku)))

    movements = add_command(
        commands,
        "movements",
        "the audit trail, newest first",
        "The audit trail, newest first. Times are ISO-8601; without an offset they are UTC.",
    )
    movements.add_argument("--sku", type=sku, metavar="SKU")
    movements.add_argument("--location", type=location_code, metavar="CODE")
    types = [kind.value for kind in MovementType]
    movements.add_argument("--type", choices=types, metavar="TYPE", help=", ".join(types))
    movements.add_argument("--since", type=instant, metavar="TIME", help="from this time on")
    movements.add_argument("--until", type=instant, metavar="TIME", help="before this time")
    add_paging(movements)
    movements.set_defaults(factory=movements_command)

    report = add_command(commands, "report", "a report; without a kind, the list of kinds")
    report.add_argument(
        "kind", nargs="?", choices=list(REPORTS), metavar="KIND", help=", ".join(REPORTS)
    )
    report.set_defaults(factory=report_command)

    whoami = add_command(commands, "whoami", "the token in use: its id, name and role")
    whoami.set_defaults(factory=lambda args: done(show_caller))


def instant(text: str) -> str:
    """ISO-8601 in, ISO-8601 UTC out (`2026-01-31` is midnight UTC)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 time, e.g. 2026-01-31T09:00:00Z"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def show_stock(api: ApiClient, output: Output, sku: str) -> None:
    stock = api.get_json(f"/inventory/{quote(sku, safe='')}")
    output.result(stock, Rows(LEVEL_COLUMNS, stock["levels"]), lambda: stock_sheet(stock))


def movements_command(args: argparse.Namespace) -> Command:
    filters = {
        "sku": args.sku,
        "location_code": args.location,
        "type": args.type,
        "since": args.since,
        "until": args.until,
    }
    query = {name: value for name, value in filters.items() if value is not None}

    def show(api: ApiClient, output: Output) -> None:
        page = collect_listing(api, "/reports/movements", query, args)
        output.result(
            page.document(),
            Rows(MOVEMENT_COLUMNS, page.items),
            lambda: movements_sheet(page.items, sku=args.sku),
        )
        tell_more(output, page)

    return done(show)


def report_command(args: argparse.Namespace) -> Command | Offline:
    if args.kind is None:
        return Offline(show_report_kinds)
    report = REPORTS[args.kind]
    return done(lambda api, output: show_report(api, output, report))


def show_report_kinds(output: Output) -> None:
    kinds = [{"kind": name, "description": report.description} for name, report in REPORTS.items()]
    output.result(
        {"kinds": kinds},
        Rows(("kind", "description"), kinds),
        lambda: record_details(
            "Reports: warehouse report KIND",
            {name: report.description for name, report in REPORTS.items()},
            {name: name for name in REPORTS},
        ),
    )


def show_report(api: ApiClient, output: Output, report: Report) -> None:
    try:
        items = collect(api, report.path, {}).items
    except ApiError as error:
        if error.status == 404:
            raise ReportUnavailable(
                f"this API does not serve {report.path} yet ({error.describe()}); "
                "it needs a deployment that includes the reports"
            ) from error
        raise
    output.result({"items": items}, Rows(report.columns, items), lambda: report.sheet(items))


def show_caller(api: ApiClient, output: Output) -> None:
    caller = api.get_json("/me")
    output.result(
        caller,
        Rows(tuple(CALLER_LABELS), [caller]),
        lambda: record_details("This token", caller, CALLER_LABELS),
    )
