"""The API's JSON shaped as terminal tables that fit the terminal's width.

A `Sheet` is built at print time for the width it gets: when its natural width is more than
that, it leaves out its least useful columns first (says which in its caption) and only then
lets rich wrap what remains, so an 80-column terminal shows whole SKUs, quantities and times.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

UNASSIGNED = "(unassigned)"
JsonObject = dict[str, Any]
UNLIMITED = 10_000  # a width no table reaches: measures its natural width
FREE_TEXT_WIDTH = 30


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def text(value: object) -> Text:
    """Server data as plain text: a `[` in a reference is not rich markup."""
    return Text("" if value is None else str(value))


def when(timestamp: object) -> Text:
    """ISO-8601 UTC to the second, `2026-01-31 09:15:02`: the table stays narrow (JSON and CSV
    keep the API's full value)."""
    value = str(timestamp or "")
    return Text(value[:19].replace("T", " ") if len(value) >= 19 else value)


def location(code: object) -> Text:
    return Text(UNASSIGNED, style="dim") if code is None else text(code)


def number(value: object) -> Text:
    return Text(f"{value:,}" if isinstance(value, int) else "")


def signed(value: object) -> Text:
    return Text(f"{value:+,}" if isinstance(value, int) else "")


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[JsonObject], Text]
    numeric: bool = False
    drop: int = 0
    """0: always shown. Otherwise left out when the width is short, the highest first."""
    wrap_at: int | None = None
    """Free text wraps at this width rather than widen the table."""
    whole: bool = False
    """Never wrapped (codes and numbers): the table wraps other columns first."""


def field_of(name: str, shape: Callable[[object], Text] = text) -> Callable[[JsonObject], Text]:
    return lambda row: shape(row.get(name))


@dataclass(frozen=True)
class Sheet:
    """A table of `rows` under `columns`, fitted to the width it is printed at."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[JsonObject]
    caption: str | None = None
    compact: bool = False
    """Lines only under the header (long listings), instead of a box."""

    def table(self, columns: Sequence[Column], hidden: Sequence[Column] = ()) -> Table:
        notes = [self.caption] if self.caption else []
        if hidden:
            names = ", ".join(column.header for column in hidden)
            notes.append(f"not shown at this width: {names} (--csv has every field)")
        table = Table(
            title=escape(self.title),
            caption=escape("; ".join(notes)) if notes else None,
            box=box.SIMPLE_HEAD if self.compact else box.HEAVY_HEAD,
            pad_edge=not self.compact,
            padding=(0, 1, 0, 0) if self.compact else (0, 1),
        )
        for column in columns:
            table.add_column(
                column.header,
                justify="right" if column.numeric else "left",
                no_wrap=column.numeric or column.whole,
                overflow="fold",
                max_width=column.wrap_at,
            )
        for row in self.rows:
            table.add_row(*(column.cell(row) for column in columns))
        return table

    def fitted(self, console: Console, width: int) -> Table:
        """Every column if they fit, else without the least useful ones."""
        shown = list(self.columns)
        droppable = sorted((c for c in shown if c.drop), key=lambda c: c.drop, reverse=True)
        hidden: list[Column] = []
        table = self.table(shown)
        while droppable and natural_width(console, table) > width:
            dropped = droppable.pop(0)
            shown.remove(dropped)
            hidden.insert(0, dropped)
            table = self.table(shown, hidden)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.fitted(console, options.max_width)


def natural_width(console: Console, renderable: RenderableType) -> int:
    options = console.options.update_width(UNLIMITED)
    return Measurement.get(console, options, renderable).maximum


def details(title: str, pairs: Iterable[tuple[str, Text]]) -> Table:
    """One record as two columns, field and value (an item, a token, whoami)."""
    table = Table(title=escape(title), show_header=False, box=box.ROUNDED)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in pairs:
        table.add_row(name, value)
    return table


def stock_sheet(stock: JsonObject) -> Sheet:
    return Sheet(
        f"{stock['sku']}: {stock['total_quantity']:,} on hand",
        [
            Column("Location", field_of("location_code", location)),
            Column("Quantity", field_of("quantity", number), numeric=True),
            Column("Version", field_of("version", number), numeric=True, drop=1),
            Column("Updated (UTC)", field_of("updated_at", when), drop=2),
        ],
        stock["levels"],
    )


def note(movement: JsonObject) -> Text:
    return Text(
        " / ".join(str(movement[key]) for key in ["reason", "reference"] if movement.get(key))
    )


def movements_sheet(movements: list[JsonObject], sku: str | None = None) -> Sheet:
    """One row per movement; the SKU column only when not filtered to one SKU. A narrow
    terminal loses the transfer id, then the note, then the actor, then puts the time under
    the date."""
    columns = [
        Column("When (UTC)", field_of("occurred_at", when)),
        Column("Type", field_of("type"), whole=True),
        *([] if sku else [Column("SKU", field_of("sku"), whole=True)]),
        Column("Location", field_of("location_code", location), whole=True),
        Column("Delta", field_of("delta", signed), numeric=True),
        Column("After", field_of("quantity_after", number), numeric=True),
        Column("Actor", field_of("actor"), drop=1, wrap_at=FREE_TEXT_WIDTH),
        Column("Note", note, drop=2, wrap_at=FREE_TEXT_WIDTH),
        Column("Transfer", field_of("transfer_id"), drop=3),
    ]
    return Sheet(
        f"Movements{f' of {sku}' if sku else ''}, newest first",
        columns,
        movements,
        caption=plural(len(movements), "movement"),
        compact=True,
    )


def low_stock_sheet(items: list[JsonObject]) -> Sheet:
    return Sheet(
        "Low stock: at or below the reorder point",
        [
            Column("SKU", field_of("sku")),
            Column("Name", field_of("name"), drop=1, wrap_at=FREE_TEXT_WIDTH),
            Column("On hand", field_of("total_quantity", number), numeric=True),
            Column("Reorder point", field_of("reorder_point", number), numeric=True),
        ],
        items,
        caption=plural(len(items), "SKU"),
    )


def locations_sheet(items: list[JsonObject]) -> Sheet:
    return Sheet(
        "Stock by location",
        [
            Column("Location", field_of("location_code", location)),
            Column("SKUs", field_of("sku_count", number), numeric=True),
            Column("Quantity", field_of("total_quantity", number), numeric=True),
        ],
        items,
        caption=plural(len(items), "location"),
    )


def levels_sheet(title: str, levels: list[JsonObject]) -> Sheet:
    """Stock records after a movement; a transfer's two sides are labelled."""
    sides = any("side" in level for level in levels)
    adjusted = any("delta" in level for level in levels)
    return Sheet(
        title,
        [
            *([Column("Side", field_of("side"))] if sides else []),
            Column("SKU", field_of("sku")),
            Column("Location", field_of("location_code", location)),
            *([Column("Delta", field_of("delta", signed), numeric=True)] if adjusted else []),
            Column("Quantity", field_of("quantity", number), numeric=True),
            Column("Version", field_of("version", number), numeric=True),
            Column("Updated (UTC)", field_of("updated_at", when), drop=1),
        ],
        levels,
    )


def items_sheet(items: list[JsonObject]) -> Sheet:
    return Sheet(
        "Items",
        [
            Column("SKU", field_of("sku")),
            Column("Name", field_of("name"), wrap_at=FREE_TEXT_WIDTH),
            Column("Unit", field_of("unit"), drop=2),
            Column("Reorder point", field_of("reorder_point", number), numeric=True),
            Column("Version", field_of("version", number), numeric=True, drop=3),
            Column("Description", field_of("description"), drop=4, wrap_at=FREE_TEXT_WIDTH),
            Column("Updated (UTC)", field_of("updated_at", when), drop=1),
        ],
        items,
        caption=plural(len(items), "item"),
        compact=True,
    )


ITEM_LABELS = {
    "name": "Name",
    "description": "Description",
    "unit": "Unit",
    "reorder_point": "Reorder point",
    "version": "Version",
    "created_at": "Created (UTC)",
    "updated_at": "Updated (UTC)",
}


def item_details(item: JsonObject) -> Table:
    return record_details(f"Item {item['sku']}", item, ITEM_LABELS)


def tokens_sheet(tokens: list[JsonObject]) -> Sheet:
    return Sheet(
        "Active tokens",
        [
            Column("Token id", field_of("token_id")),
            Column("Name", field_of("name")),
            Column("Role", field_of("role")),
            Column("Created (UTC)", field_of("created_at", when), drop=1),
        ],
        tokens,
        caption=plural(len(tokens), "token"),
    )


def record_details(title: str, record: JsonObject, labels: dict[str, str]) -> Table:
    """`labels`: field name -> label, in the order shown."""
    return details(
        title, [(label, shaped(name, record.get(name))) for name, label in labels.items()]
    )


def shaped(name: str, value: object) -> Text:
    """Times (`*_at`) to the second, numbers with thousands separators, the rest as text."""
    if name.endswith("_at"):
        return when(value)
    return number(value) if isinstance(value, int) and not isinstance(value, bool) else text(value)
