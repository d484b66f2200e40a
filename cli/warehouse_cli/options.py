"""Argument types and the global options every command accepts, before or after its name."""

import argparse
from collections.abc import Callable

from warehouse_cli.import_file import parse_location, parse_quantity, parse_sku
from warehouse_inventory.domain.input_rules import MAX_COUNTED_QUANTITY, MAX_QUANTITY

DEFAULT_URL = "http://127.0.0.1:3000"
DEFAULT_TIMEOUT = 30.0  # past API Gateway's 29 s integration limit: the API answers (504) first
DEFAULT_RETRIES = 5  # with `request_in_progress` waits, enough to outlast a 10 s function
type Commands = argparse._SubParsersAction[argparse.ArgumentParser]


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def checked_by[T](parse: Callable[[str], T]) -> Callable[[str], T]:
    """An argument parsed by the import file's own rule (the API's): its message as argparse's."""

    def parse_argument(text: str) -> T:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse_argument


def parse_location_code(text: str) -> str:
    """Unassigned stock has no code: commands leave the option out for it."""
    code = parse_location(text)
    if code is None:
        raise ValueError("a location code cannot be empty (leave the option out: unassigned)")
    return code


sku = checked_by(parse_sku)
location_code = checked_by(parse_location_code)
quantity = checked_by(lambda text: parse_quantity(text, 1, MAX_QUANTITY))
counted_quantity = checked_by(lambda text: parse_quantity(text, 0, MAX_COUNTED_QUANTITY))


def global_options(*, listed: bool) -> argparse.ArgumentParser:
    """The options accepted anywhere on the line: the top-level parser lists them (`listed`),
    each command accepts them unlisted, so its help shows only its own. SUPPRESS: an option
    given before the command is not overwritten by the command's unset default."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)

    def shown(text: str) -> str:
        return text if listed else argparse.SUPPRESS

    common.add_argument(
        "--url", help=shown(f"API base URL (env WAREHOUSE_URL; default {DEFAULT_URL})")
    )
    common.add_argument("--token", help=shown("API token (env WAREHOUSE_TOKEN, preferred)"))
    common.add_argument("--json", action="store_true", help=shown("the API's JSON on stdout"))
    common.add_argument(
        "--csv", action="store_true", help=shown("CSV with a header line on stdout")
    )
    common.add_argument(
        "--timeout",
        type=positive_float,
        help=shown(f"seconds per HTTP request (default {DEFAULT_TIMEOUT:g})"),
    )
    common.add_argument(
        "--retries",
        type=bounded_int(0, 10),
        help=shown(
            f"retries after 429/503/connection errors, with backoff (default {DEFAULT_RETRIES})"
        ),
    )
    return common


def add_command(
    commands: Commands,
    name: str,
    summary: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """A command that takes the global options too; its help lists only its own."""
    return commands.add_parser(
        name,
        parents=[global_options(listed=False)],
        help=summary,
        description=description or summary[:1].upper() + summary[1:] + ".",
        epilog=GLOBAL_OPTIONS_NOTE,
    )


GLOBAL_OPTIONS_NOTE = "Global options (warehouse --help) go anywhere on the line."
