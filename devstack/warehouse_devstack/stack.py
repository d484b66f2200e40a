"""The local stack as one context manager: DynamoDB Local with the template's tables, SQS (moto's
server) with its queues, the API Gateway emulator and the event source pollers, all invoking the
template's functions in this process.

`python -m warehouse_devstack` holds it open until a signal; tests may also enter it in-process
(and inject faults with botocore event hooks on the layer's clients). Leaving the block always
stops the server first, then the pollers, then DynamoDB Local and SQS, then restores the
environment, whatever happened inside.
"""

import contextlib
import errno
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3

from warehouse_devstack.backends.dynamodb_local import DynamoEndpoint, dynamodb_local
from warehouse_devstack.backends.provisioning import create_queues, create_tables
from warehouse_devstack.backends.sqs_server import SqsPortInUse, sqs_server
from warehouse_devstack.event_sources.mappings import queue_sources, stream_sources
from warehouse_devstack.event_sources.poller_base import Poller, polling
from warehouse_devstack.event_sources.queue_poller import QueuePoller
from warehouse_devstack.event_sources.stream_poller import StreamClients, StreamPoller
from warehouse_devstack.gateway.http_server import GatewayServer, serving
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.lambda_runtime import apply_environment, forget_function_singletons
from warehouse_devstack.template import Template
from warehouse_inventory.domain.tokens import bearer_secret, new_secret

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_sqs import SQSClient

LOCAL_DEFAULTS = {
    # DynamoDB Local accepts any credentials; these keep boto3 from looking for real ones.
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    # Powertools Metrics would print one EMF JSON line per invocation, flooding the console
    # with metrics nothing collects locally. Set it to "false" to see them.
    "POWERTOOLS_METRICS_DISABLED": "true",
    # Powertools' Logger("warehouse") filters every record whose logger name contains
    # "warehouse" from the root handlers, our own warehouse_devstack invocation lines included.
    "POWERTOOLS_LOG_DEDUPLICATION_DISABLED": "true",
}
ANY_ADDRESS = frozenset({"", "0.0.0.0"})
QUEUE_TYPE = "AWS::SQS::Queue"


BOOTSTRAP_NAME = "bootstrap-admin"
SAVED_ADMIN_FILE = "bootstrap-admin-token"
"""Where a persisted stack keeps its generated admin token, in the --persist directory."""
MIN_ADMIN_TOKEN_LENGTH = 32
"""A WAREHOUSE_ADMIN_TOKEN shorter than this is refused: the stack may listen beyond loopback."""


class PortInUse(RuntimeError):
    """A port the stack needs is taken (often another local stack or DynamoDB Local)."""


class WeakAdminToken(ValueError):
    """WAREHOUSE_ADMIN_TOKEN is too short to guard an admin token, or no bearer token at all."""


@dataclass(frozen=True)
class StackOptions:
    host: str = "127.0.0.1"
    port: int = 3000  # 0: any free port (see RunningStack.api_url)
    dynamodb_port: int = 8000
    persist_dir: Path | None = None  # None: DynamoDB Local keeps data in memory
    sqs_port: int = 9324  # 0: any free port (see RunningStack.sqs_url)
    # More addresses for SQS, e.g. the Docker bridge's, where `sam local` containers reach it.
    sqs_also_on: tuple[str, ...] = ()
    # The functions' LogLevel (a template parameter); None: the template's default.
    function_log_level: str | None = None
    # How long the gateway caches a token's policy; None: the template's ReauthorizeEvery.
    authorizer_cache_seconds: float | None = None


@dataclass(frozen=True)
class RunningStack:
    api_url: str
    dynamodb: DynamoEndpoint
    gateway: ApiGateway
    persist_dir: Path | None
    admin_token: str
    sqs_url: str
    sqs_also_on: tuple[str, ...]
    queue_urls: dict[str, str]  # logical id -> URL as the template resolves it (use sqs_url)
    pollers: Sequence[Poller]  # one per DynamoDB/SQS event of a function


def configured_admin_token() -> str | None:
    """WAREHOUSE_ADMIN_TOKEN, once it is found strong enough (else WeakAdminToken)."""
    secret = os.environ.get("WAREHOUSE_ADMIN_TOKEN") or None
    if secret is None:
        return None
    if len(secret) < MIN_ADMIN_TOKEN_LENGTH:
        raise WeakAdminToken(
            f"WAREHOUSE_ADMIN_TOKEN has {len(secret)} characters; it needs at least "
            f"{MIN_ADMIN_TOKEN_LENGTH} (or unset it, and the stack generates one)"
        )
    if bearer_secret(f"Bearer {secret}") != secret:
        raise WeakAdminToken(
            "WAREHOUSE_ADMIN_TOKEN must be at most 200 characters, without spaces around it"
        )
    return secret


def bootstrap_admin_token(persist_dir: Path | None) -> str:
    """The admin token the banner prints: WAREHOUSE_ADMIN_TOKEN when set, else the one a
    persisted stack saved at its first start, else a new one.

    There is one live `bootstrap-admin` token: a restart that brings the same secret reuses it,
    another secret (WAREHOUSE_ADMIN_TOKEN changed) replaces it. Stored like any token, through
    the TokenService the API uses (hash only); a generated secret is also saved, readable by
    its owner only, in the --persist directory, so it can be shown again after a restart.
    """
    from warehouse_inventory.domain.access import Role
    from warehouse_inventory.wiring import token_service

    service = token_service()
    configured = configured_admin_token()
    saved = persist_dir / SAVED_ADMIN_FILE if persist_dir else None
    secret = configured or (read_secret(saved) if saved else None) or new_secret()
    if service.authenticate(f"Bearer {secret}") is None:
        for token in service.active_tokens():
            if token.name == BOOTSTRAP_NAME:
                service.revoke(token.token_id)
        service.issue(BOOTSTRAP_NAME, Role.ADMIN, secret=secret)
    if saved and not configured:
        write_secret(saved, secret)
    return secret


def read_secret(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def write_secret(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")


def local_parameters(log_level: str | None = None) -> dict[str, str]:
    """Template parameters of the local stack: its functions' log level, and what a developer
    may set from the environment (ALLOWED_ORIGINS)."""
    parameters = {"LogLevel": log_level} if log_level else {}
    origins = os.environ.get("ALLOWED_ORIGINS")
    return parameters | ({"AllowedOrigins": origins} if origins is not None else {})


def dynamodb_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


@contextmanager
def local_stack(options: StackOptions, template: Template | None = None) -> Iterator[RunningStack]:
    """Start everything; on exit stop the server, then DynamoDB Local (no orphan java)."""
    configured_admin_token()  # refuse a weak one before anything starts
    template = template or Template(
        parameter_overrides=local_parameters(options.function_log_level)
    )
    with ExitStack() as stack:
        stack.enter_context(function_environment(template, dynamodb_url(options.dynamodb_port)))
        gateway = ApiGateway(template, authorizer_cache_seconds=options.authorizer_cache_seconds)
        server = bind_gateway(gateway, options)  # before java: fail fast
        stack.callback(server.server_close)  # closing twice is harmless
        ensure_port_free(options.dynamodb_port, "--dynamodb-port")
        sqs_url = stack.enter_context(local_sqs(options.sqs_port, options.sqs_also_on))
        endpoint = stack.enter_context(dynamodb_local(options.dynamodb_port, options.persist_dir))
        create_tables(admin_client(endpoint.url), template)
        queue_urls = {
            name: str(template.resolve({"Ref": name}))
            for name in template.resources_of_type(QUEUE_TYPE)
        }
        create_queues(sqs_client(sqs_url), template)
        admin_token = bootstrap_admin_token(options.persist_dir)
        pollers = stack.enter_context(polling(event_pollers(template, endpoint.url, sqs_url)))
        stack.enter_context(serving(server))
        yield RunningStack(
            api_url=f"http://{display_host(options.host)}:{server.port}",
            dynamodb=endpoint,
            gateway=server.gateway,
            persist_dir=options.persist_dir,
            admin_token=admin_token,
            sqs_url=sqs_url,
            sqs_also_on=options.sqs_also_on,
            queue_urls=queue_urls,
            pollers=pollers,
        )


@contextmanager
def local_sqs(port: int, also_on: Sequence[str]) -> Iterator[str]:
    """moto's SQS server, and the functions' SQS endpoint pointed at it (function_environment
    restores the variable on exit)."""
    try:
        with sqs_server(port, also_on) as url:
            os.environ["AWS_ENDPOINT_URL_SQS"] = url
            yield url
    except SqsPortInUse as exc:
        raise PortInUse(f"{exc}; choose another --sqs-port") from exc


def event_pollers(template: Template, dynamodb_endpoint: str, sqs_endpoint: str) -> list[Poller]:
    """One poller per DynamoDB stream and SQS event of the template's functions, each with
    clients of its own (the functions' clients stay theirs, hooks and all)."""
    pollers: list[Poller] = []
    for stream in stream_sources(template):
        clients = StreamClients(
            dynamodb=admin_client(dynamodb_endpoint),
            streams=streams_client(dynamodb_endpoint),
            sqs=sqs_client(sqs_endpoint),
        )
        pollers.append(StreamPoller(stream, clients))
    pollers += [QueuePoller(queue, sqs_client(sqs_endpoint)) for queue in queue_sources(template)]
    return pollers


@contextmanager
def function_environment(template: Template, endpoint_url: str) -> Iterator[None]:
    """Make this process the functions' container: their environment from template.yaml, local
    AWS settings, and no singletons (clients, settings) left from an earlier environment.
    The previous environment comes back on exit, for in-process use."""
    saved = dict(os.environ)
    try:
        for name, value in LOCAL_DEFAULTS.items():
            os.environ.setdefault(name, value)
        apply_environment(template)
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint_url
        forget_function_singletons()
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        forget_function_singletons()


def bind_gateway(gateway: ApiGateway, options: StackOptions) -> GatewayServer:
    try:
        return GatewayServer((options.host, options.port), gateway)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise PortInUse(f"{options.host}:{options.port} is in use; choose another --port") from exc


def ensure_port_free(port: int, option: str) -> None:
    """Refuse a taken port up front: DynamoDB Local would fail to bind, yet the readiness check
    would succeed against whatever already listens there, and the stack would use the wrong one."""
    with (
        contextlib.suppress(OSError),
        socket.create_connection(("127.0.0.1", port), timeout=0.5),
    ):
        raise PortInUse(f"127.0.0.1:{port} is in use; choose another {option}")


def admin_client(endpoint_url: str) -> "DynamoDBClient":
    """A client of our own for table creation, independent of the functions' cached one."""
    return boto3.session.Session().client("dynamodb", endpoint_url=endpoint_url)


def streams_client(endpoint_url: str) -> "DynamoDBStreamsClient":
    return boto3.session.Session().client("dynamodbstreams", endpoint_url=endpoint_url)


def sqs_client(endpoint_url: str) -> "SQSClient":
    """The stack's own SQS client (queue creation, pollers), apart from the functions' one."""
    return boto3.session.Session().client("sqs", endpoint_url=endpoint_url)


def display_host(host: str) -> str:
    """A URL a browser on this machine can open, even when listening on every interface."""
    return "127.0.0.1" if host in ANY_ADDRESS else host
