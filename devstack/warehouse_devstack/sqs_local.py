"""SQS for the local stack: moto's server in this process (a thread), on 127.0.0.1.

The functions reach it through AWS_ENDPOINT_URL_SQS, which boto3 honours; the queue URLs the
template resolves to (`https://sqs.us-east-1.amazonaws.com/123456789012/<name>`) work as they
are, because moto finds the queue by the URL's account and name, not its host.
"""

import errno
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

HOST = "127.0.0.1"


class SqsPortInUse(RuntimeError):
    """The SQS port is taken."""


def ensure_bindable(port: int) -> None:
    """moto's server would wait forever for a port it cannot bind: refuse a taken one first."""
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise SqsPortInUse(f"{HOST}:{port} is in use") from exc


@contextmanager
def sqs_server(port: int) -> Iterator[str]:
    """moto's server on `port` (0: any free port) until the block exits; yields its URL."""
    ensure_bindable(port)
    # werkzeug logs every request at INFO: several a second from the queue pollers' long polls.
    werkzeug = logging.getLogger("werkzeug")
    if werkzeug.level == logging.NOTSET:
        werkzeug.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    try:
        _, bound = server.get_host_and_port()
        yield f"http://{HOST}:{bound}"
    finally:
        server.stop()
