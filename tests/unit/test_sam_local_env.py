"""`sam local` reaches the local stack from inside SAM's containers: devstack/sam-local-env.json
overrides only variables the template declares (SAM ignores any other), with the names the local
stack gives its tables and queue, and endpoints on host.docker.internal at `make run`'s ports."""

import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from warehouse_devstack.__main__ import SAM_ENV_VARS_PORTS, parse_args
from warehouse_devstack.template import LOCAL_SECRET, REPO_ROOT, Template

ENDPOINTS = {"AWS_ENDPOINT_URL_DYNAMODB": "dynamodb", "AWS_ENDPOINT_URL_SQS": "sqs"}


@pytest.fixture(scope="module")
def overrides() -> dict[str, str]:
    document: dict[str, Any] = json.loads((REPO_ROOT / "devstack/sam-local-env.json").read_text())
    parameters: dict[str, str] = document["Parameters"]
    return parameters


def test_env_file_overrides_only_declared_variables(
    template: Template, overrides: dict[str, str]
) -> None:
    declared = {name for spec in template.functions() for name in spec.environment}
    assert set(overrides) <= declared
    assert overrides["CURSOR_SECRET"] == LOCAL_SECRET  # cursors work across both ways of running


@pytest.mark.parametrize("variable", sorted(ENDPOINTS))
def test_endpoints_are_declared_empty_for_aws(template: Template, variable: str) -> None:
    """Empty in AWS: boto3 ignores an empty endpoint variable and uses the regional endpoint."""
    assert {spec.environment[variable] for spec in template.functions()} == {""}


@pytest.mark.parametrize(("variable", "service"), sorted(ENDPOINTS.items()))
def test_endpoints_reach_the_local_stack_from_a_container(
    overrides: dict[str, str], variable: str, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = urlsplit(overrides[variable])
    assert url.hostname == "host.docker.internal"  # see samconfig.toml's add_host
    assert url.port == SAM_ENV_VARS_PORTS[service]
    monkeypatch.delenv("DYNAMODB_PORT", raising=False)
    monkeypatch.delenv("SQS_PORT", raising=False)
    defaults = parse_args([])  # `make run`'s ports
    assert {"dynamodb": defaults.dynamodb_port, "sqs": defaults.sqs_port}[service] == url.port


def test_tables_and_queues_carry_the_local_stack_s_names(
    template: Template, overrides: dict[str, str]
) -> None:
    """SAM resolves a resource's Ref to its logical id: right for a table, no URL for a queue.
    Every variable naming a resource is set to what the local stack calls it."""
    sections = [template.document["Globals"]["Function"]] + [
        resource["Properties"]
        for resource in template.resources_of_type("AWS::Serverless::Function").values()
    ]
    references = {
        name: value["Ref"]
        for section in sections
        for name, value in section.get("Environment", {}).get("Variables", {}).items()
        if isinstance(value, dict) and value.get("Ref") in template.resources
    }
    assert "AUDIT_QUEUE_URL" in references
    for name, logical_id in references.items():
        assert overrides.get(name) == template.resolve({"Ref": logical_id}), name
