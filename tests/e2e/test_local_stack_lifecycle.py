"""The local stack as a developer runs it (`python -m warehouse_devstack`, what `make run` starts),
each test with a stack of its own: one console line per invocation (more with --verbose), a
persisted stack that keeps one bootstrap admin token across restarts, a weak
WAREHOUSE_ADMIN_TOKEN refused, and the make targets that talk to DynamoDB and SQS reaching the
running stack on its own ports, or failing in one line."""

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.local_stack import StackProcess, start_stack, stop_stack
from warehouse_devstack.backends.dynamodb_local import free_port
from warehouse_devstack.endpoints_file import STATE_VARIABLE
from warehouse_devstack.template import REPO_ROOT

TOKEN = "wh_e2e-lifecycle-" + uuid.uuid4().hex  # 49 characters
PIPELINE = ("StreamRelayFunction", "AuditConsumerFunction", "ProjectorFunction")
PIPELINE_DEADLINE_SECONDS = 60.0
INVOCATION_LINE = re.compile(
    r"^\d\d:\d\d:\d\d INFO    (?P<function>\w+Function) "
    r"(?:(?:GET|POST|PUT|DELETE) \S+ -> \d{3}|\w+ batch of \d+ -> ok) \(\d+\.\d ms\)$"
)
LIFECYCLE_LINES = {"SIGINT received, stopping", "stopped"}
ADMIN_LINE = re.compile(r"^  Admin      (\S+)  ", re.MULTILINE)


def restock(stack: StackProcess, token: str = TOKEN) -> None:
    body = {"sku": "CON" + uuid.uuid4().hex[:8].upper(), "quantity": 2}
    headers = {"authorization": f"Bearer {token}"}
    response = httpx.post(f"{stack.base_url}/inventory/restock", json=body, headers=headers)
    assert response.status_code == 201, response.text


def wait_for_pipeline(stack: StackProcess) -> None:
    """Until the restock's stream and queue invocations have each logged their line."""
    deadline = time.monotonic() + PIPELINE_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if all(f"{name} " in stack.stderr.read_text() for name in PIPELINE):
            return
        time.sleep(0.2)
    pytest.fail(f"the pipeline did not run:\n{stack.stderr.read_text()}")


def after_banner(stack: StackProcess) -> str:
    return stack.stdout.read_text().split("Ctrl-C to stop\n", 1)[1]


def test_a_restock_is_one_line_and_nothing_else_by_default(tmp_path: Path) -> None:
    stack = start_stack(tmp_path, TOKEN)
    try:
        restock(stack)
        wait_for_pipeline(stack)
    finally:
        stop_stack(stack)
    lines = stack.stderr.read_text().splitlines()
    messages = [line[17:] for line in lines]  # after "HH:MM:SS LEVEL   "
    unexpected = [
        line
        for line, message in zip(lines, messages, strict=True)
        if not INVOCATION_LINE.match(line) and message not in LIFECYCLE_LINES
    ]
    assert unexpected == []
    functions = [match["function"] for line in lines if (match := INVOCATION_LINE.match(line))]
    assert functions.count("RestockFunction") == 1
    assert "AuthorizerFunction" not in functions
    assert set(PIPELINE) <= set(functions)
    assert after_banner(stack).strip() == ""  # no function JSON, no EMF


def test_verbose_adds_function_logs_metrics_and_the_authorizer_s_line(tmp_path: Path) -> None:
    stack = start_stack(tmp_path, TOKEN, "--verbose")
    try:
        restock(stack)
        wait_for_pipeline(stack)
    finally:
        stop_stack(stack)
    printed = [json.loads(line) for line in after_banner(stack).splitlines() if line.strip()]
    assert any(record.get("message") == "authorized" for record in printed)
    assert any("_aws" in record and "Movements" in record for record in printed)
    stderr = stack.stderr.read_text()
    assert re.search(r"AuthorizerFunction POST /inventory/restock -> allow \(\d+\.\d ms\)", stderr)
    assert stderr.count("RestockFunction POST /inventory/restock -> 201") == 1
    assert "authorized" not in stderr  # the function's JSON line is not repeated on stderr


def admin_token_of(stack: StackProcess) -> str:
    found = ADMIN_LINE.search(stack.banner())
    assert found, stack.banner()
    return found[1]


def bootstrap_tokens(stack: StackProcess, token: str) -> list[str]:
    headers = {"authorization": f"Bearer {token}"}
    listed = httpx.get(f"{stack.base_url}/tokens", headers=headers)
    assert listed.status_code == 200, listed.text
    return [
        item["token_id"] for item in listed.json()["items"] if item["name"] == "bootstrap-admin"
    ]


def test_a_persisted_stack_keeps_one_bootstrap_token_across_restarts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    printed, listed = [], []
    for run in range(3):  # a start and two restarts, with a generated token
        stack = start_stack(tmp_path / f"run{run}", None, "--persist", str(data))
        try:
            printed.append(admin_token_of(stack))
            listed.append(bootstrap_tokens(stack, printed[-1]))
            restock(stack, printed[-1])
        finally:
            stop_stack(stack)
    assert len(set(printed)) == 1, "a restart printed another token"
    assert all(len(ids) == 1 for ids in listed) and len({ids[0] for ids in listed}) == 1
    assert (data / "bootstrap-admin-token").stat().st_mode & 0o077 == 0

    stack = start_stack(tmp_path / "run3", TOKEN, "--persist", str(data))  # another token now
    try:
        assert admin_token_of(stack) == TOKEN
        assert len(bootstrap_tokens(stack, TOKEN)) == 1
        old = httpx.get(f"{stack.base_url}/me", headers={"authorization": f"Bearer {printed[0]}"})
        assert old.status_code == 401  # the replaced bootstrap token is revoked
    finally:
        stop_stack(stack)


@pytest.mark.parametrize("weak", ["letmein", "x" * 31, "x" * 40 + " "])
def test_a_weak_admin_token_is_refused_at_start(tmp_path: Path, weak: str) -> None:
    env = os.environ | {"WAREHOUSE_ADMIN_TOKEN": weak, STATE_VARIABLE: str(tmp_path / "s.json")}
    command = [sys.executable, "-m", "warehouse_devstack", "--port", str(free_port())]
    command += ["--dynamodb-port", str(free_port()), "--sqs-port", "0"]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    (line,) = result.stderr.splitlines()
    assert "WAREHOUSE_ADMIN_TOKEN" in line and weak.strip() not in line
    assert result.stdout == ""
    assert not (tmp_path / "s.json").exists()


def make(target: str, state_file: Path, args: str = "") -> subprocess.CompletedProcess[str]:
    env = os.environ | {STATE_VARIABLE: str(state_file)}
    command = ["make", "--no-print-directory", "-s", target] + ([f"ARGS={args}"] if args else [])
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_make_targets_reach_the_running_stack_on_its_own_ports(tmp_path: Path) -> None:
    stack = start_stack(tmp_path, TOKEN)
    try:
        rebuilt = make("rebuild-projections", stack.state_file)
        redriven = make("redrive-audit", stack.state_file)
    finally:
        stop_stack(stack)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"DynamoDB at http://127.0.0.1:{stack.dynamodb_port} (the running" in rebuilt.stdout
    assert redriven.returncode == 0, redriven.stderr
    assert f"SQS at http://127.0.0.1:{stack.sqs_port} (the running" in redriven.stdout
    assert not stack.state_file.exists()  # gone with the stack


@pytest.mark.parametrize("target", ["rebuild-projections", "redrive-audit"])
def test_make_targets_fail_in_one_line_when_the_stack_does_not_answer(
    tmp_path: Path, target: str
) -> None:
    """A stack that recorded its endpoints (this process stands in for it) but does not answer
    on them: one line naming where the command looked, exit code 2, no traceback."""
    dead = f"http://127.0.0.1:{free_port()}"
    state = tmp_path / "running.json"
    state.write_text(
        json.dumps({"pid": os.getpid(), "api_url": dead, "dynamodb_url": dead, "sqs_url": dead})
    )
    result = make(target, state)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    (line,) = lines
    assert "cannot reach" in line and dead in line and "the running local stack" in line
    assert "Traceback" not in result.stderr + result.stdout
