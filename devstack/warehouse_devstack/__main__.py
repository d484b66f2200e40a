"""`python -m warehouse_devstack` (what `make run` starts): the local stack until Ctrl-C.

By default the console shows one line per invocation: the function, the route and status (or the
batch and its outcome), the duration. `--verbose` adds what the functions print themselves
(Powertools' JSON log lines at INFO, the EMF metric records) and the authorizer's own line; a
function's warnings and errors show either way. While it runs, the stack's endpoints are in
endpoints_file.py's file, for the commands that talk to it.

SIGINT and SIGTERM only set an event, so shutdown runs in the main thread through the stack's
context managers (server closed, pollers joined, DynamoDB Local and SQS stopped) and the process
exits 0. A second signal during a slow shutdown raises KeyboardInterrupt to force the issue.
"""

import argparse
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from warehouse_devstack.backends.container_network import bridge_address
from warehouse_devstack.endpoints_file import StackEndpoints, published
from warehouse_devstack.gateway import token_authorizer
from warehouse_devstack.stack import (
    PortInUse,
    RunningStack,
    StackOptions,
    WeakAdminToken,
    local_stack,
)

logger = logging.getLogger("warehouse_devstack")

# The ports devstack/sam-local-env.json points `sam local` containers at.
SAM_ENV_VARS_PORTS = {"dynamodb": 8000, "sqs": 9324}
FUNCTION_LOGGER = "warehouse"
"""The layer's Powertools logger (its POWERTOOLS_SERVICE_NAME): it prints its own JSON lines."""
QUIET_FUNCTION_LOG_LEVEL = "WARNING"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse_devstack",
        description="Serve the API locally: DynamoDB Local plus an API Gateway emulator that "
        "invokes the functions of template.yaml.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "3000")), help="API port"
    )
    parser.add_argument(
        "--dynamodb-port",
        type=int,
        default=int(os.environ.get("DYNAMODB_PORT", str(SAM_ENV_VARS_PORTS["dynamodb"]))),
        help="DynamoDB Local port (fixed, so `sam local invoke` can reach it)",
    )
    parser.add_argument(
        "--sqs-port",
        type=int,
        default=int(os.environ.get("SQS_PORT", str(SAM_ENV_VARS_PORTS["sqs"]))),
        help="SQS (moto's server) port; 0 for any free port",
    )
    parser.add_argument(
        "--container-gateway",
        default=bridge_address(),
        metavar="ADDRESS",
        help="also serve SQS on this address, where `sam local` containers reach this machine "
        "(default: the Docker bridge's address when there is one; 'none' for loopback only)",
    )
    parser.add_argument(
        "--persist",
        type=Path,
        metavar="DIR",
        help="keep DynamoDB Local's data in DIR (e.g. .devstack-data); default: in memory",
    )
    parser.add_argument(
        "--authorizer-cache-seconds",
        type=non_negative_seconds,
        metavar="SECONDS",
        help="how long the gateway caches the authorizer's policy per token, as API Gateway "
        "does (default: the template's ReauthorizeEvery); 0 calls the authorizer on every "
        "request, so a revoked token is refused at once",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also show the functions' own log lines (JSON), their metrics (EMF) and the "
        "authorizer's line; default: one line per invocation",
    )
    return parser.parse_args(argv)


def non_negative_seconds(text: str) -> float:
    seconds = float(text)
    if not seconds >= 0:  # NaN too
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds >= 0")
    return seconds


def options_from(args: argparse.Namespace) -> StackOptions:
    persist: Path | None = args.persist
    return StackOptions(
        host=args.host,
        port=args.port,
        dynamodb_port=args.dynamodb_port,
        persist_dir=persist.resolve() if persist else None,
        sqs_port=args.sqs_port,
        sqs_also_on=container_hosts(args.container_gateway),
        function_log_level=None if args.verbose else QUIET_FUNCTION_LOG_LEVEL,
        authorizer_cache_seconds=args.authorizer_cache_seconds,
    )


def container_hosts(gateway: str | None) -> tuple[str, ...]:
    """The extra SQS address: none when absent, asked not to, or already the loopback."""
    if gateway in {None, "", "none", "127.0.0.1"}:
        return ()
    return (str(gateway),)


def configure_logging(verbose: bool) -> None:
    """Our lines at INFO on stderr; libraries only from WARNING (botocore is chatty at INFO).

    The functions' Powertools logger prints its JSON itself: it must not reach our handler too
    (each line twice). Its level is the template's LogLevel, WARNING unless verbose."""
    logging.basicConfig(
        level=logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)-7s %(message)s",
        datefmt="%H:%M:%S",
    )
    logger.setLevel(logging.INFO)
    logging.getLogger(FUNCTION_LOGGER).propagate = False
    logging.getLogger(token_authorizer.__name__).setLevel(
        logging.INFO if verbose else logging.WARNING
    )
    # Powertools' EMF records, printed by the functions: shown only when verbose.
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "false" if verbose else "true"
    # moto's fallback server (werkzeug) sets its own logger to INFO: one line per DynamoDB call.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.captureWarnings(True)  # e.g. the fallback to moto when Java is missing
    # Powertools warns when a handler flushes no metrics, even with metrics disabled.
    warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)


def install_stop_handlers() -> threading.Event:
    """The returned event is set by the first SIGINT/SIGTERM; a second one interrupts."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        logger.info("%s received, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return stop


def banner(running: RunningStack) -> str:
    storage = f"data in {running.persist_dir}" if running.persist_dir else "in memory"
    routes = sorted(running.gateway.routes, key=lambda route: (route.resource, route.method))
    width = max((len(route.resource) for route in routes), default=0)
    lines = [
        "",
        "Warehouse API local stack",
        f"  API        {running.api_url}",
        f"  DynamoDB   {running.dynamodb.url} ({running.dynamodb.engine}, {storage})",
        f"  SQS        {running.sqs_url} (moto; {', '.join(running.queue_urls)})"
        + "".join(f", also on {host}" for host in running.sqs_also_on),
        f"  Admin      {running.admin_token}  (WAREHOUSE_ADMIN_TOKEN; POST /tokens for others)",
        "  Routes",
        *(
            f"    {route.method:<7} {route.resource:<{width}}  {route.function.logical_id}"
            for route in routes
        ),
        "  Event sources",
        *(f"    {poller.describe()}" for poller in running.pollers),
        "  Try",
        f"    export TOKEN={running.admin_token}",
        f"    curl -s -X POST {running.api_url}/inventory/restock "
        "-H \"authorization: Bearer $TOKEN\" -H 'content-type: application/json' "
        '-d \'{"sku": "WIDGET1", "quantity": 5}\'',
        f'    curl -s {running.api_url}/inventory/WIDGET1 -H "authorization: Bearer $TOKEN"',
        # `make invoke` finds this stack on whatever ports it has (sam_cli.endpoint_options).
        "  make invoke FN=<Function>  (sam local invoke against this stack; needs Docker)",
        "Ctrl-C to stop",
        "",
    ]
    return "\n".join(lines)


def endpoints_of(running: RunningStack) -> StackEndpoints:
    return StackEndpoints(
        pid=os.getpid(),
        api_url=running.api_url,
        dynamodb_url=running.dynamodb.url,
        sqs_url=running.sqs_url,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    options = options_from(args)
    configure_logging(args.verbose)
    stop = install_stop_handlers()
    try:
        with local_stack(options) as running, published(endpoints_of(running)):
            sys.stdout.write(banner(running))
            sys.stdout.flush()
            stop.wait()
    except (PortInUse, WeakAdminToken) as exc:
        logger.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        logger.warning("interrupted again; shutdown may be incomplete")
        return 130
    logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
