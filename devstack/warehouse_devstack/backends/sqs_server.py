"""SQS for the local stack: moto's server in this process (a thread), on 127.0.0.1 and, for
`sam local` containers, on the Docker bridge's address too (see container_network).

The functions reach it through AWS_ENDPOINT_URL_SQS, which boto3 honours; the queue URLs the
template resolves to (`https://sqs.us-east-1.amazonaws.com/123456789012/<name>`) work as they
are, because moto finds the queue by the URL's account and name, not its host. Both listeners
serve the same queues: moto keeps its state per process, not per server.
"""

import errno
import logging
import socket
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

from moto.core.utils import unix_time
from moto.server import ThreadedMotoServer
from moto.sqs.models import Message, SQSBackend

HOST = "127.0.0.1"


class SqsPortInUse(RuntimeError):
    """The SQS port is taken."""


def ensure_bindable(host: str, port: int) -> None:
    """moto's server would wait forever for a port it cannot bind: refuse a taken one first."""
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise SqsPortInUse(f"{host}:{port} is in use") from exc


def retained(backend: SQSBackend, queue_name: str, message: Message) -> bool:
    """moto's retention check, without its cost: moto reads the queue's MessageRetentionPeriod
    for every message ReceiveMessage returns by building every attribute of the queue three
    times over, each message count a scan of the queue's messages. That was a fifth of the local
    stack's CPU under load (the audit queue's consumers receive all the time, in this process);
    the queue's own field gives the same answer."""
    period = int(backend.get_queue(queue_name).message_retention_period)  # type: ignore[attr-defined]
    return period + (message.sent_timestamp or 0) / 1000 > unix_time()


def use_cheap_retention_check() -> None:
    """Replace moto's method (pinned moto; tests/unit/test_sqs_server.py checks the behaviour)."""
    SQSBackend.is_message_valid_based_on_retention_period = retained  # type: ignore[method-assign,assignment]


@contextmanager
def moto_listener(host: str, port: int) -> Iterator[int]:
    """One moto server on host:port (0: any free port) until the block exits; yields the port."""
    ensure_bindable(host, port)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    try:
        yield server.get_host_and_port()[1]
    finally:
        server.stop()


@contextmanager
def sqs_server(port: int, also_on: Sequence[str] = ()) -> Iterator[str]:
    """moto's server on 127.0.0.1:`port` (0: any free port) and on the same port of each
    address in `also_on`, until the block exits; yields the loopback URL."""
    # werkzeug logs every request at INFO: several a second from the queue pollers' long polls.
    werkzeug = logging.getLogger("werkzeug")
    if werkzeug.level == logging.NOTSET:
        werkzeug.setLevel(logging.WARNING)
    use_cheap_retention_check()
    with ExitStack() as listeners:
        bound = listeners.enter_context(moto_listener(HOST, port))
        for host in also_on:
            listeners.enter_context(moto_listener(host, bound))
        yield f"http://{HOST}:{bound}"
