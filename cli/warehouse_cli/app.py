"""`warehouse`: argument parsing and dispatch to the commands.

    warehouse [--url URL] [--token TOKEN] import FILE.csv [--batch-size 100] [--json]
    warehouse stock SKU [--json]
    warehouse movements [--sku SKU] [--location CODE] [--limit N] [--json]
    warehouse report low-stock|locations [--json]

`--url`/`WAREHOUSE_URL` (default: the local stack, http://127.0.0.1:3000) and
`--token`/`WAREHOUSE_TOKEN` (prefer the variable: arguments show in `ps`). The common options go
before or after the command.
"""

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import httpx

from warehouse_cli import exit_codes
from warehouse_cli.api import ApiClient, ApiError, ApiUnreachable
from warehouse_cli.batches import DEFAULT_BATCH_SIZE
from warehouse_cli.import_command import ImportOptions, run_import
from warehouse_cli.output import Output
from warehouse_cli.reads import REPORTS, ReportUnavailable, show_movements, show_report, show_stock
from warehouse_cli.retry import RetryPolicy
from warehouse_inventory.domain.input_rules import MAX_BATCH_ENTRIES

DEFAULT_URL = "http://127.0.0.1:3000"
DEFAULT_TIMEOUT = 30.0  # past API Gateway's 29 s integration limit: the API answers (504) first
DEFAULT_RETRIES = 5  # with `request_in_progress` waits, enough to outlast a 10 s function
Command = Callable[[ApiClient, Output], int]


class UsageError(Exception):
    """Bad configuration the parser cannot see (missing token, malformed URL)."""


@dataclass(frozen=True)
class Connection:
    url: str
    token: str
    timeout: float
    retries: int


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


def common_options() -> argparse.ArgumentParser:
    """Accepted before and after the command. SUPPRESS: an option given before the command is
    not overwritten by the subcommand's unset default."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--url", help=f"API base URL (env WAREHOUSE_URL; default {DEFAULT_URL})")
    common.add_argument("--token", help="API token (env WAREHOUSE_TOKEN, preferred)")
    common.add_argument(
        "--timeout",
        type=positive_float,
        help=f"seconds per HTTP request (default {DEFAULT_TIMEOUT:g})",
    )
    common.add_argument(
        "--retries",
        type=bounded_int(0, 10),
        help=f"retries after 429/503/connection errors, with backoff (default {DEFAULT_RETRIES})",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="warehouse", description="Warehouse inventory API client.", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_import(commands, common)
    stock = commands.add_parser("stock", parents=[common], help="a SKU's stock per location")
    stock.add_argument("sku")
    add_json(stock)
    movements = commands.add_parser(
        "movements", parents=[common], help="the audit trail, newest first"
    )
    movements.add_argument("--sku")
    movements.add_argument("--location", help="a location code")
    movements.add_argument(
        "--limit", type=bounded_int(1, 1_000_000), default=50, help="most rows (default 50)"
    )
    add_json(movements)
    report = commands.add_parser("report", parents=[common], help="low-stock or locations")
    report.add_argument("report", choices=sorted(REPORTS))
    add_json(report)
    return parser


def add_import(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", common: argparse.ArgumentParser
) -> None:
    command = commands.add_parser(
        "import",
        parents=[common],
        help="apply a CSV of movements",
        description="CSV header: sku,quantity,location_code,type,reference, and "
        "from_location,to_location,reason when needed. type: restock, pick, transfer (from "
        "from_location to to_location) or adjust (sets the counted quantity; reason, default "
        "cycle_count). Every line is checked before anything is sent; lines go in batches of "
        "distinct stock records, each record's lines in file order; a re-run of the same file "
        "applies each line once.",
    )
    command.add_argument("file", type=Path)
    command.add_argument(
        "--concurrency", type=bounded_int(1, 64), default=8, help="requests in flight (default 8)"
    )
    command.add_argument(
        "--batch-size",
        type=bounded_int(1, MAX_BATCH_ENTRIES),
        default=DEFAULT_BATCH_SIZE,
        help=f"lines per request (default {DEFAULT_BATCH_SIZE}; a re-run needs the same)",
    )
    command.add_argument(
        "--stop-after",
        type=bounded_int(1, 10_000_000),
        help="stop after N lines, as an interruption would (testing resumption)",
    )
    command.add_argument(
        "--salt", default="", help="import identical content again as a new import"
    )
    add_json(command)


def add_json(command: argparse.ArgumentParser) -> None:
    command.add_argument("--json", action="store_true", help="one JSON document on stdout")


def connection(args: argparse.Namespace, env: Mapping[str, str]) -> Connection:
    """Arguments first, then the environment, then the local stack's default URL."""
    url: str = getattr(args, "url", None) or env.get("WAREHOUSE_URL") or DEFAULT_URL
    token: str | None = getattr(args, "token", None) or env.get("WAREHOUSE_TOKEN")
    if not token:
        raise UsageError("no API token: set WAREHOUSE_TOKEN (or pass --token)")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise UsageError(f"{url!r} is not an http(s) URL (--url or WAREHOUSE_URL)")
    return Connection(
        url,
        token,
        getattr(args, "timeout", DEFAULT_TIMEOUT),
        getattr(args, "retries", DEFAULT_RETRIES),
    )


def command_of(args: argparse.Namespace) -> Command:
    """The parsed command as a function of the API client and the output."""
    as_json: bool = args.json
    if args.command == "import":
        options = ImportOptions(
            args.file, args.concurrency, args.stop_after, args.salt, as_json, args.batch_size
        )
        return lambda api, output: run_import(api, output, options)
    if args.command == "stock":
        sku: str = args.sku
        return done(lambda api, output: show_stock(api, output, sku, as_json))
    if args.command == "movements":
        filters: tuple[str | None, str | None, int] = (args.sku, args.location, args.limit)
        return done(lambda api, output: show_movements(api, output, *filters, as_json))
    report: str = args.report
    return done(lambda api, output: show_report(api, output, report, as_json))


def done(show: Callable[[ApiClient, Output], None]) -> Command:
    """A read command succeeds when it returns; its failures are exceptions."""

    def command(api: ApiClient, output: Output) -> int:
        show(api, output)
        return exit_codes.OK

    return command


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    stdout: TextIO,
    stderr: TextIO,
    transport: httpx.BaseTransport | None = None,
    width: int | None = None,
) -> int:
    """The whole command line, in process: tests pass their own streams and HTTP transport."""
    output = Output.of(stdout, stderr, width)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error or the help
        return exit_.code if isinstance(exit_.code, int) else exit_codes.USAGE
    try:
        conn = connection(args, env)
        command = command_of(args)
        concurrency: int = getattr(args, "concurrency", 1)
        with ApiClient(
            conn.url,
            conn.token,
            timeout=conn.timeout,
            policy=RetryPolicy(attempts=conn.retries + 1),
            max_connections=max(4, concurrency),
            transport=transport,
        ) as api:
            return command(api, output)
    except UsageError as error:
        output.error(str(error))
        return exit_codes.USAGE
    except ReportUnavailable as error:
        output.error(str(error))
        return exit_codes.API_ERROR
    except ApiError as error:
        request = f", request id {error.request_id}" if error.request_id else ""
        output.error(f"{error.describe()} (HTTP {error.status}{request})")
        return exit_codes.API_ERROR
    except ApiUnreachable as error:
        output.error(f"no answer from the API: {error}")
        return exit_codes.UNREACHABLE
    except KeyboardInterrupt:
        output.error("interrupted")
        return exit_codes.INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    """The `warehouse` console script."""
    arguments = sys.argv[1:] if argv is None else argv
    return run(arguments, env=os.environ, stdout=sys.stdout, stderr=sys.stderr)
