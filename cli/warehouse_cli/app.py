"""`warehouse`: argument parsing and dispatch to the commands.

    warehouse restock|pick SKU QUANTITY [--location CODE] [--reference TEXT]
    warehouse transfer SKU QUANTITY [--from CODE] [--to CODE]
    warehouse adjust SKU COUNTED --reason REASON [--location CODE]
    warehouse stock SKU
    warehouse movements [--sku SKU] [--type TYPE] [--since TIME] [--limit N | --all] [--cursor C]
    warehouse report [low-stock|locations]
    warehouse items get|put|list|delete ...
    warehouse tokens create|list|revoke ...
    warehouse whoami
    warehouse import FILE.csv [--batch-size 100] [--concurrency 16]

`--url`/`WAREHOUSE_URL` (default: the local stack, http://127.0.0.1:3000) and
`--token`/`WAREHOUSE_TOKEN` (prefer the variable: arguments show in `ps`). The global options
(those two, `--json`, `--csv`, `--timeout`, `--retries`) go anywhere on the line.
"""

import argparse
import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import httpx

from warehouse_cli import exit_codes, item_commands, movement_commands, reads, token_commands
from warehouse_cli.api import ApiClient, ApiError, ApiUnreachable
from warehouse_cli.batches import DEFAULT_BATCH_SIZE
from warehouse_cli.commands import Command, Factory, Offline
from warehouse_cli.import_command import ImportOptions, run_import
from warehouse_cli.importer import DEFAULT_CONCURRENCY
from warehouse_cli.item_commands import NameNeeded
from warehouse_cli.movement_commands import UncertainOutcome
from warehouse_cli.options import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_URL,
    Commands,
    bounded_int,
    global_options,
)
from warehouse_cli.output import Format, Output
from warehouse_cli.reads import ReportUnavailable
from warehouse_cli.retry import RetryPolicy
from warehouse_inventory.domain.input_rules import MAX_BATCH_ENTRIES

DISTRIBUTION = "warehouse-devstack"  # the package that installs the `warehouse` script


class UsageError(Exception):
    """Bad configuration the parser cannot see (missing token, malformed URL)."""


@dataclass(frozen=True)
class Connection:
    url: str
    token: str
    timeout: float
    retries: int


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warehouse",
        description="Warehouse inventory API client.",
        parents=[global_options(listed=True)],
    )
    parser.add_argument("--version", action="version", version=f"warehouse {version(DISTRIBUTION)}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    movement_commands.register(commands)
    reads.register(commands)
    item_commands.register(commands)
    token_commands.register(commands)
    add_import(commands, global_options(listed=False))
    return parser


def add_import(commands: Commands, common: argparse.ArgumentParser) -> None:
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
        "--concurrency",
        type=bounded_int(1, 64),
        default=DEFAULT_CONCURRENCY,
        help=f"requests in flight (default {DEFAULT_CONCURRENCY})",
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


def output_format(args: argparse.Namespace) -> Format:
    as_json, as_csv = getattr(args, "json", False), getattr(args, "csv", False)
    if as_json and as_csv:
        raise UsageError("--json and --csv exclude each other")
    if as_csv and args.command == "import":
        raise UsageError("import prints a summary, not rows: --json, not --csv")
    return Format.JSON if as_json else Format.CSV if as_csv else Format.TABLE


def command_of(args: argparse.Namespace) -> Command | Offline:
    """The parsed command as a function of the API client and the output."""
    if args.command == "import":
        as_json: bool = getattr(args, "json", False)
        options = ImportOptions(
            args.file, args.concurrency, args.stop_after, args.salt, as_json, args.batch_size
        )
        return lambda api, output: run_import(api, output, options)
    factory: Factory = args.factory
    return factory(args)


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
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error, the help or version
        return exit_.code if isinstance(exit_.code, int) else exit_codes.USAGE
    try:
        output = Output.of(stdout, stderr, width, output_format(args))
        command = command_of(args)
        if isinstance(command, Offline):
            command.show(output)
            return exit_codes.OK
        conn = connection(args, env)
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
    except (UsageError, NameNeeded) as error:
        output.error(str(error))
        return exit_codes.USAGE
    except UncertainOutcome as uncertain:
        code = failed(output, uncertain.cause)
        output.note(uncertain.advice())
        return code
    except (ReportUnavailable, ApiError, ApiUnreachable, KeyboardInterrupt) as error:
        return failed(output, error)


def failed(output: Output, error: BaseException) -> int:
    """The error on stderr, and the exit code that says what kind it was."""
    if isinstance(error, ApiError):
        request = f", request id {error.request_id}" if error.request_id else ""
        output.error(f"{error.describe()} (HTTP {error.status}{request})")
        return exit_codes.API_ERROR
    if isinstance(error, ApiUnreachable):
        output.error(f"no answer from the API: {error}")
        return exit_codes.UNREACHABLE
    if isinstance(error, KeyboardInterrupt):
        output.error("interrupted")
        return exit_codes.INTERRUPTED
    output.error(str(error))  # ReportUnavailable
    return exit_codes.API_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """The `warehouse` console script."""
    arguments = sys.argv[1:] if argv is None else argv
    return run(arguments, env=os.environ, stdout=sys.stdout, stderr=sys.stderr)
