"""The operations commands and `sam local` find the local stack where `make run` serves it: the
running stack's endpoints file first, else the default ports, and say which."""

import json
import os
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from warehouse_devstack.endpoints_file import (
    STATE_VARIABLE,
    StackEndpoints,
    published,
    running_stack,
)
from warehouse_devstack.sam_cli import endpoint_options
from warehouse_devstack.stack import StackOptions, WeakAdminToken, configured_admin_token
from warehouse_ops.stacks import LOCAL_DYNAMODB, LOCAL_SQS, local_endpoint


def test_the_local_endpoints_are_the_local_stacks_default_ports() -> None:
    defaults = StackOptions()
    assert urlsplit(LOCAL_DYNAMODB).port == defaults.dynamodb_port
    assert urlsplit(LOCAL_SQS).port == defaults.sqs_port
    assert {urlsplit(LOCAL_DYNAMODB).hostname, urlsplit(LOCAL_SQS).hostname} == {defaults.host}


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "running.json"
    monkeypatch.setenv(STATE_VARIABLE, str(path))
    return path


def write_state(path: Path, pid: int, port: int = 8123) -> StackEndpoints:
    endpoints = StackEndpoints(
        pid, "http://127.0.0.1:3123", f"http://127.0.0.1:{port}", "http://127.0.0.1:9123"
    )
    path.write_text(json.dumps(asdict(endpoints)))
    return endpoints


def test_the_running_stack_s_endpoints_come_first(state: Path) -> None:
    write_state(state, os.getpid())
    assert local_endpoint("dynamodb", None).url == "http://127.0.0.1:8123"
    assert local_endpoint("sqs", None).url == "http://127.0.0.1:9123"
    assert "running local stack" in local_endpoint("sqs", None).describe()
    assert local_endpoint("dynamodb", "http://h:1").url == "http://h:1"


def test_without_a_running_stack_the_default_ports_are_used_and_said(state: Path) -> None:
    endpoint = local_endpoint("dynamodb", None)
    assert endpoint.url == LOCAL_DYNAMODB
    assert "no running stack" in endpoint.describe()


def test_a_file_left_by_a_killed_stack_counts_as_none(state: Path) -> None:
    write_state(state, 2**22 + 7)  # above the kernel's default pid_max: no such process
    assert running_stack() is None
    state.write_text("{not json")
    assert running_stack() is None


def test_the_file_lives_as_long_as_the_stack(state: Path) -> None:
    endpoints = StackEndpoints(os.getpid(), "a", "b", "c")
    with published(endpoints) as path:
        assert path == state and running_stack() == endpoints
    assert not state.exists()


def test_sam_local_gets_the_running_stack_s_ports(state: Path) -> None:
    options, said = endpoint_options(["local", "invoke", "RestockFunction"])
    assert options == [] and said is not None and "no running stack" in said
    write_state(state, os.getpid(), port=8555)
    options, said = endpoint_options(["local", "invoke", "RestockFunction"])
    assert options[0] == "--env-vars"
    parameters = json.loads(Path(options[1]).read_text())["Parameters"]
    assert parameters["AWS_ENDPOINT_URL_DYNAMODB"] == "http://host.docker.internal:8555"
    assert parameters["AWS_ENDPOINT_URL_SQS"] == "http://host.docker.internal:9123"
    assert said is not None and "host.docker.internal:8555" in said
    assert endpoint_options(["local", "invoke", "X", "--env-vars", "mine.json"]) == ([], None)
    assert endpoint_options(["validate"]) == ([], None)


@pytest.mark.parametrize("token", ["letmein", "x" * 31, " " + "x" * 40, "x" * 201])
def test_a_weak_admin_token_is_refused(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("WAREHOUSE_ADMIN_TOKEN", token)
    with pytest.raises(WeakAdminToken, match="WAREHOUSE_ADMIN_TOKEN"):
        configured_admin_token()


@pytest.mark.parametrize("token", ["x" * 32, "wh_example-local-admin-not-a-real-token"])
def test_a_long_enough_admin_token_is_taken(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("WAREHOUSE_ADMIN_TOKEN", token)
    assert configured_admin_token() == token
    monkeypatch.setenv("WAREHOUSE_ADMIN_TOKEN", "")
    assert configured_admin_token() is None
