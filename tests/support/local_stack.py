"""The real local stack (`python -m warehouse_devstack`) as a subprocess.

Stopping it checks what a developer relies on: SIGINT stops it with exit code 0 and leaves no
DynamoDB Local (java) process behind.
"""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from warehouse_devstack.backends.child_process import die_with_parent
from warehouse_devstack.backends.dynamodb_local import free_port
from warehouse_devstack.endpoints_file import STATE_VARIABLE
from warehouse_devstack.template import REPO_ROOT

STARTUP_TIMEOUT_SECONDS = 60
SHUTDOWN_TIMEOUT_SECONDS = 20
ADMIN_TOKEN = "wh_e2e-" + secrets.token_urlsafe(24)  # the stack's bootstrap admin token


@dataclass(frozen=True)
class StackProcess:
    base_url: str
    process: "subprocess.Popen[bytes]"
    stdout: Path
    stderr: Path
    children: dict[int, str]  # pid -> command line of what the stack started (DynamoDB Local)
    dynamodb_port: int
    sqs_port: int
    state_file: Path  # where it publishes its endpoints (endpoints_file.py)

    def banner(self) -> str:
        return self.stdout.read_text()


def children_of(pid: int) -> dict[int, str]:
    """Direct children of `pid` with their command lines, from procfs (no psutil needed)."""
    pids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # the thread ended meanwhile
            pids += [int(child) for child in (task / "children").read_text().split()]
    return {child: command_line(child) for child in pids}


def command_line(pid: int) -> str:
    """The process's command line; "" once it is gone (or a zombie)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def wait_until_healthy(base_url: str, process: "subprocess.Popen[bytes]", stderr: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"local stack exited with {process.returncode}:\n{stderr.read_text()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"local stack not healthy after {STARTUP_TIMEOUT_SECONDS} s:\n{stderr.read_text()}")


def start_stack(logs: Path, admin_token: str | None, *options: str) -> StackProcess:
    """`admin_token` None: the stack generates (or, persisted, reuses) its own. Its endpoints
    file goes to `logs`, never the repository's (a developer's stack may be running)."""
    port, dynamodb_port, sqs_port = free_port(), free_port(), free_port()
    logs.mkdir(parents=True, exist_ok=True)
    stdout, stderr = logs / "stdout.txt", logs / "stderr.txt"
    command = [sys.executable, "-m", "warehouse_devstack", "--port", str(port)]
    command += ["--dynamodb-port", str(dynamodb_port), "--sqs-port", str(sqs_port), *options]
    state_file = logs / "running.json"
    env = os.environ | {STATE_VARIABLE: str(state_file)}
    env.pop("WAREHOUSE_ADMIN_TOKEN", None)
    if admin_token is not None:
        env["WAREHOUSE_ADMIN_TOKEN"] = admin_token
    with stdout.open("wb") as out, stderr.open("wb") as err:  # files: a full pipe cannot block it
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=err,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - a clean stop if pytest dies without teardown
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process, stderr)
        children = children_of(process.pid)
        return StackProcess(
            base_url, process, stdout, stderr, children, dynamodb_port, sqs_port, state_file
        )
    except BaseException:
        process.send_signal(signal.SIGINT)  # let it stop DynamoDB Local; kill only as a fallback
        try:
            process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise


def stop_stack(stack: StackProcess) -> None:
    stack.process.send_signal(signal.SIGINT)
    try:
        code = stack.process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        stack.process.wait()
        pytest.fail(f"local stack still running {SHUTDOWN_TIMEOUT_SECONDS} s after SIGINT")
    assert code == 0, f"exit code {code}:\n{stack.stderr.read_text()}"
    # Same pid and same command line: still the child, not a recycled pid.
    leftovers = [pid for pid, line in stack.children.items() if command_line(pid) == line]
    assert not leftovers, f"child processes outlived the stack: {leftovers}"


def walk_pages(
    client: httpx.Client, path: str, params: dict[str, str | int]
) -> list[dict[str, Any]]:
    """Every item of a listing, following `next_cursor` until it is null."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(1000):  # a cursor that never ends must fail the test, not hang it
        response = client.get(path, params=params | ({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    pytest.fail("pagination did not end")
