"""SnapStart's restore hook (wiring.after_restore): registered where the runtime offers
snapshot_restore_py, harmless where it does not, and it leaves nothing of the snapshot that must
be unique per environment: `random` is reseeded, clients and boto3's session are built again."""

import random
import sys
import types
from collections.abc import Callable, Iterator

import boto3
import pytest

from warehouse_inventory import wiring
from warehouse_inventory.dal.clients import dynamodb_client


@pytest.fixture
def runtime_hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Callable[[], None]]]:
    """A stand-in for the Lambda runtime's snapshot_restore_py, collecting what is registered."""
    registered: list[Callable[[], None]] = []
    module = types.ModuleType("snapshot_restore_py")
    module.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    yield registered
    wiring.forget_services()


def test_without_the_runtime_s_hooks_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails, as locally
    assert wiring.register_restore_hook() is False


def test_the_hook_is_registered_with_the_runtime(runtime_hooks: list[Callable[[], None]]) -> None:
    assert wiring.register_restore_hook() is True
    assert runtime_hooks == [wiring.after_restore]


def test_a_restored_environment_draws_its_own_random_numbers() -> None:
    """Two environments resumed from one snapshot start from the same `random` state: without
    a reseed both would draw the same retry jitter."""
    snapshot = random.getstate()
    in_another_environment = random.Random()
    in_another_environment.setstate(snapshot)

    wiring.after_restore()

    draws = [random.random() for _ in range(4)]
    assert draws != [in_another_environment.random() for _ in range(4)]


def test_a_restored_environment_builds_its_clients_and_session_again() -> None:
    before = dynamodb_client()
    session = boto3.DEFAULT_SESSION  # the client was built on it
    assert session is not None

    wiring.after_restore()

    assert dynamodb_client() is not before
    assert boto3.DEFAULT_SESSION is not session
