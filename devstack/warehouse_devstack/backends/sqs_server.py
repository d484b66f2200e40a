"""SQS for the local stack: moto's server in a process of its own, on 127.0.0.1 and, for
`sam local` containers, on the Docker bridge's address too (see container_network).

A process of its own: the queue pollers and the relay call SQS all the time under load, and
moto's request handling in the gateway's process took a tenth of its GIL. The child reports its
port on stdout and stops when its stdin closes (the stack exits or dies; PR_SET_PDEATHSIG too).

The functions reach it through AWS_ENDPOINT_URL_SQS, which boto3 honours; the queue URLs the
template resolves to (`https://sqs.us-east-1.amazonaws.com/123456789012/<name>`) work as they
are, because moto finds the queue by the URL's account and name, not its host. Both listeners
serve the same queues: moto keeps its state per process, not per server.
"""

import argparse
import errno
import logging
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

from moto.core.utils import unix_time
from moto.server import ThreadedMotoServer
from moto.sqs.models import Message, SQSBackend

from warehouse_devstack.backends.child_process import die_with_parent

HOST = "127.0.0.1"
IN_USE = "in use: "  # the child's answer instead of its port
STOP_TIMEOUT_SECONDS = 10


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
def moto_servers(port: int, also_on: Sequence[str] = ()) -> Iterator[int]:
    """moto's server on 127.0.0.1:`port` (0: any free port) and on the same port of each
    address in `also_on`, in this process, until the block exits; yields the port."""
    # werkzeug logs every request at INFO: several a second from the queue pollers' long polls.
    werkzeug = logging.getLogger("werkzeug")
    if werkzeug.level == logging.NOTSET:
        werkzeug.setLevel(logging.WARNING)
    use_cheap_retention_check()
    with ExitStack() as listeners:
        bound = listeners.enter_context(moto_listener(HOST, port))
        for host in also_on:
            listeners.enter_context(moto_listener(host, bound))
        yield bound


@contextmanager
def sqs_server(port: int, also_on: Sequence[str] = ()) -> Iterator[str]:
    """`moto_servers` in a child process until the block exits; yields the loopback URL."""
    command = [sys.executable, "-m", __name__, "--port", str(port)]
    command += [f"--also-on={host}" for host in also_on]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, safe before exec
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        answer = process.stdout.readline().strip()
        if answer.startswith(IN_USE):
            raise SqsPortInUse(answer.removeprefix(IN_USE))
        if not answer.isdigit():
            raise RuntimeError(f"moto's SQS server did not start: {answer!r}")
        yield f"http://{HOST}:{answer}"
    finally:
        process.stdin.close()  # the child's cue to stop its listeners and exit
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answer(line: str) -> None:
    """The child's one line to the stack, on stdout."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """The child: serve until stdin closes. Ctrl-C reaches the whole process group; the stack
    stops this process itself, after its pollers, so the signal is ignored here."""
    parser = argparse.ArgumentParser(prog=f"python -m {__name__}")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--also-on", action="append", default=[], metavar="ADDRESS")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)-7s %(message)s")
    try:
        with moto_servers(args.port, args.also_on) as port:
            answer(str(port))
            sys.stdin.read()
    except SqsPortInUse as exc:
        answer(f"{IN_USE}{exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
