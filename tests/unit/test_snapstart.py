"""SnapStart: off by default and switched by one parameter, every function invoked through the
published alias it applies to, and restore hooks that every function registers and that undo
what environments restored from one snapshot must not share."""

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import snapshot_restore_py

from warehouse_devstack.template import REPO_ROOT, Template
from warehouse_inventory import aws_clients, services, snapstart

# In a fresh interpreter: import each function's entry module with the layer package imported
# anew (registration happens once per process, as in one Lambda environment) and count the hooks.
COUNT_HOOKS_PER_FUNCTION = """
import json, sys
import snapshot_restore_py as hooks
from warehouse_devstack.lambda_runtime import _load_locked, apply_environment, load_handler
from warehouse_devstack.template import load_template

template = load_template()
apply_environment(template)
counts = {}
for spec in template.functions():
    for name in [m for m in sys.modules if m.startswith(("warehouse_inventory", "fn_"))]:
        del sys.modules[name]
    hooks.get_before_snapshot().clear()
    hooks.get_after_restore().clear()
    _load_locked.cache_clear()
    load_handler(spec)
    counts[spec.logical_id] = [
        [entry[0].__qualname__ for entry in hooks.get_before_snapshot()],
        [entry[0].__qualname__ for entry in hooks.get_after_restore()],
    ]
print(json.dumps(counts))
"""


def applied(template: Template) -> Any:
    return template.resolve(template.document["Globals"]["Function"]["SnapStart"])["ApplyOn"]


def test_snapstart_is_off_by_default_and_on_with_the_parameter(template: Template) -> None:
    assert template.document["Parameters"]["SnapStart"]["Default"] == "off"
    assert applied(template) == "None"
    assert applied(Template(parameter_overrides={"SnapStart": "on"})) == "PublishedVersions"


def test_every_caller_reaches_a_published_version(template: Template) -> None:
    """SnapStart applies only to published versions: the alias is what API Gateway, the
    authorizer and the event source mappings invoke (SAM wires events to it)."""
    function_globals = template.document["Globals"]["Function"]
    assert function_globals["AutoPublishAlias"] == "live"
    assert function_globals["AutoPublishAliasAllProperties"] is True
    (api,) = template.resources_of_type("AWS::Serverless::Api").values()
    authorizers = api["Properties"]["Auth"]["Authorizers"]
    assert authorizers["TokenAuthorizer"]["FunctionArn"] == {"Ref": "AuthorizerFunction.Alias"}
    assert template.authorizer() is not None
    assert template.authorizer().function_id == "AuthorizerFunction"  # type: ignore[union-attr]


def test_every_function_registers_the_hooks_once() -> None:
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", COUNT_HOOKS_PER_FUNCTION],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    counts = json.loads(child.stdout.splitlines()[-1])
    assert len(counts) == len(Template().resources_of_type("AWS::Serverless::Function"))
    for function, registered in counts.items():
        assert registered == [["before_snapshot"], ["after_restore"]], function


@pytest.fixture
def fresh_services() -> Iterator[None]:
    services.forget_services()
    yield
    services.forget_services()


@pytest.mark.usefixtures("fresh_services")
def test_before_snapshot_builds_the_clients_into_the_snapshot() -> None:
    assert aws_clients.dynamodb_client.cache_info().currsize == 0
    snapstart.before_snapshot()
    assert aws_clients.dynamodb_client.cache_info().currsize == 1
    assert aws_clients.sqs_client.cache_info().currsize == 1


@pytest.mark.usefixtures("fresh_services")
def test_after_restore_rebuilds_the_clients_and_services() -> None:
    snapstart.before_snapshot()
    client, service = aws_clients.dynamodb_client(), services.inventory_service()
    snapstart.after_restore()
    assert aws_clients.dynamodb_client() is not client
    assert services.inventory_service() is not service


def test_environments_restored_from_one_snapshot_draw_different_jitter() -> None:
    snapshot = random.getstate()
    first_environment = [random.random() for _ in range(4)]
    random.setstate(snapshot)  # a second environment resumes from the same memory
    snapstart.after_restore()
    assert [random.random() for _ in range(4)] != first_environment


def test_nothing_is_registered_outside_lambdas_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails
    snapstart.register_hooks.cache_clear()
    before = list(snapshot_restore_py.get_before_snapshot())
    try:
        assert snapstart.register_hooks() is False
        assert snapshot_restore_py.get_before_snapshot() == before
    finally:
        snapstart.register_hooks.cache_clear()
