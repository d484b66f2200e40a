"""The API's JSON shaped as terminal tables, one function per command."""

from typing import Any

from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

UNASSIGNED = "(unassigned)"
JsonObject = dict[str, Any]


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def text(value: object) -> Text:
    """Server data as plain text: a `[` in a reference is not rich markup."""
    return Text("" if value is None else str(value))


def when(timestamp: object) -> Text:
    """ISO-8601 UTC to the second, `2026-01-31 09:15:02`: the table stays narrow (JSON keeps
    the API's full value)."""
    value = str(timestamp or "")
    return Text(value[:19].replace("T", " ") if len(value) >= 19 else value)


def location(code: object) -> Text:
    return Text(UNASSIGNED, style="dim") if code is None else text(code)


def stock_table(stock: JsonObject) -> Table:
    table = Table(title=escape(f"{stock['sku']}: {stock['total_quantity']:,} on hand"))
    table.add_column("Location")
    table.add_column("Quantity", justify="right")
    table.add_column("Version", justify="right")
    table.add_column("Updated (UTC)")
    for level in stock["levels"]:
        table.add_row(
            location(level["location_code"]),
            f"{level['quantity']:,}",
            f"{level['version']}",
            when(level["updated_at"]),
        )
    return table


def movements_table(movements: list[JsonObject], more: bool, sku: str | None = None) -> Table:
    """One row per movement; the SKU column only when not filtered to one SKU. In a narrow
    terminal the free-text columns shrink first, so times and quantities stay whole."""
    table = Table(
        title=escape(f"Movements{f' of {sku}' if sku else ''}, newest first"),
        caption="more with a larger --limit" if more else plural(len(movements), "movement"),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("When (UTC)", no_wrap=True, min_width=19)
    table.add_column("Type", no_wrap=True, min_width=7)
    if not sku:
        table.add_column("SKU", no_wrap=True)
    table.add_column("Location", no_wrap=True)
    table.add_column("Delta", justify="right", no_wrap=True, min_width=5)
    table.add_column("After", justify="right", no_wrap=True, min_width=5)
    for name in ["Actor", "Note"]:  # these give way first in a narrow terminal
        table.add_column(name, overflow="ellipsis")
    for movement in movements:
        note = " / ".join(
            str(movement[key]) for key in ["reason", "reference"] if movement.get(key)
        )
        table.add_row(
            when(movement["occurred_at"]),
            text(movement["type"]),
            *([] if sku else [text(movement["sku"])]),
            location(movement["location_code"]),
            f"{movement['delta']:+,}",
            f"{movement['quantity_after']:,}",
            text(movement.get("actor")),
            text(note),
        )
    return table


def low_stock_table(items: list[JsonObject]) -> Table:
    table = Table(
        title="Low stock: at or below the reorder point", caption=plural(len(items), "SKU")
    )
    table.add_column("SKU", no_wrap=True)
    table.add_column("Name")
    table.add_column("On hand", justify="right")
    table.add_column("Reorder point", justify="right")
    for item in items:
        table.add_row(
            text(item["sku"]),
            text(item.get("name")),
            f"{item['total_quantity']:,}",
            f"{item['reorder_point']:,}",
        )
    return table


def locations_table(items: list[JsonObject]) -> Table:
    table = Table(title="Stock by location", caption=plural(len(items), "location"))
    table.add_column("Location", no_wrap=True)
    table.add_column("SKUs", justify="right")
    table.add_column("Quantity", justify="right")
    for item in items:
        table.add_row(
            location(item["location_code"]),
            f"{item['sku_count']:,}",
            f"{item['total_quantity']:,}",
        )
    return table
