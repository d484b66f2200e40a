"""Modules no API function may import when it starts cold, so a cut cold start cannot silently
come back with a dependency upgrade or a convenient import (docs/performance.md, "Cold start and
warm overhead").

Each function's entry module is imported in a fresh interpreter, with the function's environment
from template.yaml and tracing on as deployed (LAMBDA_TASK_ROOT set: Powertools' Tracer and the
X-Ray SDK load), and its sys.modules is checked against the deny list.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from warehouse_devstack.template import FunctionSpec, Template

DOCS_FUNCTION = "DocsFunction"
DENIED: dict[str, str] = {
    "opentelemetry": "FastAPI >= 0.142 imports it for its telemetry (the layer pins below)",
    "fastapi.telemetry": "FastAPI >= 0.142's telemetry middleware, on every request",
    "aws_lambda_powertools.utilities.idempotency": "loaded by the first request with a key",
    "aws_lambda_powertools.utilities.parser": "not used: the routes validate with FastAPI",
    "aws_lambda_powertools.utilities.data_classes": "not used: Mangum reads the event",
    "aws_lambda_powertools.event_handler": "not used: FastAPI routes",
    "aws_xray_sdk.ext.httplib": "the Tracer patches botocore only",
    "aws_xray_sdk.ext.requests": "the Tracer patches botocore only",
    "boto3.resources": "the data layer uses clients only",
    "warehouse_inventory.dal": "repositories are built on the first request (wiring)",
    "warehouse_inventory.services": "services are built on the first request (wiring)",
}
DENIED_OUTSIDE_DOCS: dict[str, str] = {
    "warehouse_inventory.http.openapi": "only the docs function describes the API",
}
PROBE = (
    "import json, sys; sys.path.insert(0, sys.argv[1]); import {module}; "
    "print(json.dumps(sorted(sys.modules)))"
)


def api_functions() -> list[FunctionSpec]:
    return [spec for spec in Template().functions() if spec.routes]


def imported_modules(spec: FunctionSpec) -> set[str]:
    """sys.modules after importing the function's entry module in a fresh interpreter."""
    environment = os.environ | spec.environment | {"LAMBDA_TASK_ROOT": str(spec.code_dir)}
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)
    module = spec.handler.rsplit(".", 1)[0]
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module), str(spec.code_dir)],
        env=environment,
        cwd=spec.code_dir,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def denied_for(logical_id: str) -> dict[str, str]:
    return DENIED if logical_id == DOCS_FUNCTION else DENIED | DENIED_OUTSIDE_DOCS


def violations(modules: set[str], denied: dict[str, str]) -> dict[str, str]:
    """Denied packages present in `modules`, a package counting with its submodules."""
    return {
        name: reason
        for name, reason in denied.items()
        if any(module == name or module.startswith(f"{name}.") for module in modules)
    }


@pytest.fixture(scope="module")
def modules_by_function() -> dict[str, set[str]]:
    """Every function's probe at once: each is a process of its own, about a second."""
    specs = api_functions()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(
            zip([spec.logical_id for spec in specs], pool.map(imported_modules, specs), strict=True)
        )


@pytest.mark.parametrize("spec", api_functions(), ids=lambda spec: spec.logical_id)
def test_a_function_imports_nothing_on_the_deny_list(
    spec: FunctionSpec, modules_by_function: dict[str, set[str]]
) -> None:
    modules = modules_by_function[spec.logical_id]
    assert "fastapi" in modules, "the probe imported the function"
    assert violations(modules, denied_for(spec.logical_id)) == {}


def test_the_deny_list_matches_submodules_only() -> None:
    modules = {"opentelemetry.trace", "fastapi", "aws_xray_sdk.ext.httplibx"}
    assert violations(modules, DENIED) == {"opentelemetry": DENIED["opentelemetry"]}


def test_every_api_function_is_checked_and_the_docs_one_is_among_them() -> None:
    ids = {spec.logical_id for spec in api_functions()}
    assert DOCS_FUNCTION in ids
    assert len(ids) >= 18
    assert all(Path(spec.code_dir).is_dir() for spec in api_functions())
