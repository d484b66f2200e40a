"""`items get|put|list|delete`: SKU master data.

`items put` changes the fields it is given and keeps the others: it reads the item first and
writes with `If-Match` on the version it read, so a change made in between is refused (412)
instead of lost. `--if-match` names the version the caller saw instead.
"""

import argparse
from urllib.parse import quote

from warehouse_cli.api import ApiClient, ApiError, JsonObject
from warehouse_cli.commands import Command, done
from warehouse_cli.options import Commands, add_command, bounded_int, sku
from warehouse_cli.output import Output, Rows
from warehouse_cli.paging import add_paging, collect_listing, tell_more
from warehouse_cli.tables import item_details, items_sheet, record_details
from warehouse_inventory.domain.input_rules import MAX_COUNTED_QUANTITY, MAX_VERSION
from warehouse_inventory.domain.items import DEFAULT_REORDER_POINT, DEFAULT_UNIT

ITEM_COLUMNS = (
    "sku",
    "name",
    "description",
    "unit",
    "reorder_point",
    "created_at",
    "updated_at",
    "version",
)
EDITABLE = ("name", "description", "unit", "reorder_point")


class NameNeeded(Exception):
    """A new item needs a name (usage: nothing was written)."""


def register(commands: Commands) -> None:
    items = add_command(commands, "items", "SKU master data: get, put, list, delete")
    actions = items.add_subparsers(dest="action", required=True, metavar="ACTION")

    get = add_command(actions, "get", "one item")
    get.add_argument("sku", type=sku, metavar="SKU")
    get.set_defaults(factory=lambda args: done(lambda api, out: show_item(api, out, args.sku)))

    put = add_command(
        actions,
        "put",
        "create an item, or change the fields given (admin)",
        "Create an item, or change the fields given and keep the others (admin). The item is "
        "read first and written only if it is still that version (If-Match), so a change "
        "made in between is refused, not lost.",
    )
    put.add_argument("sku", type=sku, metavar="SKU")
    put.add_argument("--name", metavar="TEXT", help="1-200 characters; needed to create an item")
    put.add_argument("--description", metavar="TEXT", help="up to 2,000 characters")
    put.add_argument(
        "--unit", metavar="TEXT", help=f"1-20 characters (new items: {DEFAULT_UNIT!r})"
    )
    put.add_argument(
        "--reorder-point",
        type=bounded_int(0, MAX_COUNTED_QUANTITY),
        metavar="N",
        help=f"low stock at or below it; 0 never (new items: {DEFAULT_REORDER_POINT})",
    )
    put.add_argument(
        "--if-match",
        type=bounded_int(1, MAX_VERSION),
        metavar="VERSION",
        help="change only this version (default: the version just read)",
    )
    put.set_defaults(factory=put_command)

    listing = add_command(actions, "list", "every item, by SKU")
    add_paging(listing)
    listing.set_defaults(factory=lambda args: done(lambda api, out: list_items(api, out, args)))

    delete = add_command(actions, "delete", "delete an item that holds no stock (admin)")
    delete.add_argument("sku", type=sku, metavar="SKU")
    delete.set_defaults(factory=lambda args: done(lambda api, out: delete_item(api, out, args.sku)))


def path_of(sku: str) -> str:
    return f"/items/{quote(sku, safe='')}"


def show(output: Output, item: JsonObject) -> None:
    output.result(item, Rows(ITEM_COLUMNS, [item]), lambda: item_details(item))


def show_item(api: ApiClient, output: Output, sku: str) -> None:
    show(output, api.get_json(path_of(sku)))


def current_item(api: ApiClient, sku: str) -> JsonObject | None:
    try:
        return api.get_json(path_of(sku))
    except ApiError as error:
        if error.status == 404:
            return None
        raise


def put_command(args: argparse.Namespace) -> Command:
    given = {name: getattr(args, name) for name in EDITABLE if getattr(args, name) is not None}

    def put(api: ApiClient, output: Output) -> None:
        current = current_item(api, args.sku)
        if current is None and "name" not in given:
            raise NameNeeded(f"item {args.sku} does not exist: --name is needed to create it")
        body = {name: current[name] for name in EDITABLE if current} | given
        version = args.if_match or (current["version"] if current else None)
        if_match = None if version is None else f'"{version}"'
        show(output, api.put(path_of(args.sku), body, if_match))

    return done(put)


def list_items(api: ApiClient, output: Output, args: argparse.Namespace) -> None:
    page = collect_listing(api, "/items", {}, args)
    output.result(page.document(), Rows(ITEM_COLUMNS, page.items), lambda: items_sheet(page.items))
    tell_more(output, page)


def delete_item(api: ApiClient, output: Output, sku: str) -> None:
    api.delete(path_of(sku))
    deleted = {"sku": sku, "deleted": True}
    output.result(
        deleted,
        Rows(("sku", "deleted"), [deleted]),
        lambda: record_details("Item deleted", deleted, {"sku": "SKU"}),
    )
