"""`restock`, `pick`, `transfer`, `adjust`: one movement each, printing the level after it.

Every movement is sent with an Idempotency-Key: `--idempotency-key`, or a new random one per
run, always printed. The key makes the client's own retries after a lost answer safe, and when
a run ends without a clear answer (no answer, a 5xx, Ctrl-C) the message says to run the same
command with that key: the API then applies the movement at most once. The automatic key is
new on every run, not derived from the arguments, because two identical picks are two picks:
a derived key would silently turn the second into a replay.
"""

import argparse
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from warehouse_cli.api import ApiClient, ApiError, ApiUnreachable, JsonObject
from warehouse_cli.commands import Command
from warehouse_cli.exit_codes import OK
from warehouse_cli.import_file import parse_reference
from warehouse_cli.options import (
    Commands,
    add_command,
    bounded_int,
    checked_by,
    counted_quantity,
    location_code,
    quantity,
    sku,
)
from warehouse_cli.output import Output, Rows
from warehouse_cli.reads import LEVEL_COLUMNS
from warehouse_cli.tables import levels_sheet
from warehouse_inventory.domain.input_rules import IDEMPOTENCY_KEY, MAX_VERSION
from warehouse_inventory.domain.stock import AdjustReason

AUTOMATIC_KEY_PREFIX = "cli-"
UNASSIGNED_HELP = "location code (default: unassigned stock)"


class UncertainOutcome(Exception):
    """The movement may or may not have been applied; `cause` says why nobody knows."""

    def __init__(self, key: str, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.key = key
        self.cause = cause

    def advice(self) -> str:
        return (
            "The movement may or may not have been applied. Run the same command with "
            f"--idempotency-key {self.key}: the API applies it at most once."
        )


@dataclass(frozen=True)
class Movement:
    route: str
    done: str
    """What the title says happened, e.g. "Restocked"."""
    body: JsonObject


def idempotency_key(text: str) -> str:
    if not IDEMPOTENCY_KEY.matches(text):
        raise argparse.ArgumentTypeError(
            f"an Idempotency-Key is {IDEMPOTENCY_KEY.min_length}-{IDEMPOTENCY_KEY.max_length} "
            "visible ASCII characters, without spaces"
        )
    return text


def register(commands: Commands) -> None:
    restock = add_command(commands, "restock", "add stock at a location")
    add_sku_and_quantity(restock, "quantity to add")
    restock.add_argument("--location", type=location_code, metavar="CODE", help=UNASSIGNED_HELP)
    add_reference_and_key(restock)
    restock.set_defaults(factory=movement_command(restock_body, "restock", "Restocked"))

    pick = add_command(commands, "pick", "take stock from a location")
    add_sku_and_quantity(pick, "quantity to take")
    pick.add_argument("--location", type=location_code, metavar="CODE", help=UNASSIGNED_HELP)
    add_reference_and_key(pick)
    pick.set_defaults(factory=movement_command(restock_body, "pick", "Picked"))

    transfer = add_command(
        commands, "transfer", "move stock between two locations of a SKU, in one transaction"
    )
    add_sku_and_quantity(transfer, "quantity to move")
    transfer.add_argument(
        "--from", dest="source", type=location_code, metavar="CODE", help=UNASSIGNED_HELP
    )
    transfer.add_argument(
        "--to", dest="destination", type=location_code, metavar="CODE", help=UNASSIGNED_HELP
    )
    add_reference_and_key(transfer)
    transfer.set_defaults(factory=movement_command(transfer_body, "transfer", "Transferred"))

    adjust = add_command(commands, "adjust", "set a record's counted quantity, with a reason")
    adjust.add_argument("sku", type=sku, metavar="SKU")
    adjust.add_argument(
        "counted", type=counted_quantity, metavar="COUNTED", help="the quantity counted (0 allowed)"
    )
    reasons = [reason.value for reason in AdjustReason]
    adjust.add_argument(
        "--reason", required=True, choices=reasons, metavar="REASON", help=", ".join(reasons)
    )
    adjust.add_argument("--location", type=location_code, metavar="CODE", help=UNASSIGNED_HELP)
    adjust.add_argument(
        "--expected-version",
        type=bounded_int(1, MAX_VERSION),
        metavar="VERSION",
        help="apply only to this version of the record (else 412)",
    )
    add_key(adjust)
    adjust.set_defaults(factory=movement_command(adjust_body, "adjust", "Counted"))


def add_sku_and_quantity(command: argparse.ArgumentParser, meaning: str) -> None:
    command.add_argument("sku", type=sku, metavar="SKU")
    command.add_argument("quantity", type=quantity, metavar="QUANTITY", help=meaning)


def add_reference_and_key(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--reference",
        type=checked_by(parse_reference),
        metavar="TEXT",
        help="e.g. an order number (up to 100 characters)",
    )
    add_key(command)


def add_key(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--idempotency-key",
        type=idempotency_key,
        metavar="KEY",
        help="the request's key (default: a new one, printed): the same key again never "
        "applies the movement twice",
    )


def with_optional(body: JsonObject, **optional: object) -> JsonObject:
    """Optional fields are left out rather than sent null."""
    return body | {name: value for name, value in optional.items() if value is not None}


def restock_body(args: argparse.Namespace) -> JsonObject:
    """Restock and pick take the same body."""
    body = {"sku": args.sku, "quantity": args.quantity}
    return with_optional(body, location_code=args.location, reference=args.reference)


def transfer_body(args: argparse.Namespace) -> JsonObject:
    """Both locations are always sent: null is unassigned stock (the API requires both)."""
    body = {
        "sku": args.sku,
        "quantity": args.quantity,
        "from_location": args.source,
        "to_location": args.destination,
    }
    return with_optional(body, reference=args.reference)


def adjust_body(args: argparse.Namespace) -> JsonObject:
    body = {"sku": args.sku, "counted_quantity": args.counted, "reason": args.reason}
    return with_optional(body, location_code=args.location, expected_version=args.expected_version)


def movement_command(
    body: Callable[[argparse.Namespace], JsonObject], route: str, done: str
) -> Callable[[argparse.Namespace], Command]:
    def factory(args: argparse.Namespace) -> Command:
        movement = Movement(route, done, body(args))
        key: str = args.idempotency_key or AUTOMATIC_KEY_PREFIX + uuid.uuid4().hex
        return lambda api, output: send(api, output, movement, key)

    return factory


def send(api: ApiClient, output: Output, movement: Movement, key: str) -> int:
    try:
        posted = api.post(f"/inventory/{movement.route}", movement.body, key)
    except ApiError as error:
        if error.status >= 500 or error.code == "request_in_progress":
            raise UncertainOutcome(key, error) from error
        raise
    except (ApiUnreachable, KeyboardInterrupt) as error:
        raise UncertainOutcome(key, error) from error
    show_levels(output, movement, posted.body)
    if posted.replayed:
        output.note(
            f"Replayed: Idempotency-Key {key} was used before; this is the first answer, "
            "and nothing changed."
        )
    else:
        output.note(f"Idempotency-Key: {key}")
    return OK


def show_levels(output: Output, movement: Movement, answer: JsonObject) -> None:
    """The level after the movement; a transfer's two, labelled from and to."""
    if movement.route == "transfer":
        levels = [
            {"side": "from"} | answer["source"],
            {"side": "to"} | answer["destination"],
        ]
        rows = Rows(("side", *LEVEL_COLUMNS), levels)
    else:
        levels = [answer]
        rows = Rows(LEVEL_COLUMNS, levels)
    title = f"{movement.done} {movement.body['sku']}"
    output.result(answer, rows, lambda: levels_sheet(title, levels))
