"""The SnapStart option is safe to deploy: through SAM's own translator (in .venv-sam, which
`make template-check` installs and then runs this file), the API functions publish a new
version exactly when `make deploy`'s CodeVersion changes, and CodeVersion changes when any
parameter's value or the build output does, and only then."""

import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from warehouse_devstack.template import REPO_ROOT, TEMPLATE_PATH
from warehouse_ops.deploy_parameters import (
    code_version,
    deploy_overrides,
    parameter_values,
    parse_overrides,
)

SAM_PYTHON = REPO_ROOT / ".venv-sam" / "bin" / "python"
TRANSLATE = REPO_ROOT / "tests" / "support" / "sam_translate.py"
needs_sam = pytest.mark.skipif(
    not SAM_PYTHON.exists(), reason="SAM's translator is in .venv-sam (make template-check)"
)


@cache
def translated(parameters: str) -> dict[str, dict[str, Any]]:
    """Each function's version and description as SAM translates the template (cached by the
    parameters' JSON: a translation takes a second or two)."""
    environment = os.environ | {"AWS_DEFAULT_REGION": "us-east-1"}
    output = subprocess.run(
        [str(SAM_PYTHON), str(TRANSLATE), str(TEMPLATE_PATH), parameters],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    ).stdout
    result: dict[str, dict[str, Any]] = json.loads(output)
    return result


def deployed(build: Path, **overrides: str) -> dict[str, dict[str, Any]]:
    """The translation of a deploy with these overrides, CodeVersion computed as `make deploy`
    computes it from `build`."""
    values = parameter_values(overrides)
    return translated(json.dumps(overrides | {"CodeVersion": code_version(build, values)}))


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A stand-in for `sam build`'s output: what matters is that its bytes are hashed."""
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    (tmp_path / "RestockFunction").mkdir()
    (tmp_path / "RestockFunction" / "app.py").write_text("handler = None\n")
    return tmp_path


def versions(translation: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {function: entry["version"] for function, entry in translation.items()}


@needs_sam
def test_a_parameter_only_change_publishes_every_api_function_again(build: Path) -> None:
    before = versions(deployed(build))
    after = versions(deployed(build, LogLevel="DEBUG"))
    assert len(before) == 20  # the API functions, each behind the `live` alias
    assert set(before) == set(after)
    assert all(before[function] != after[function] for function in before)


@needs_sam
def test_an_unchanged_deploy_publishes_nothing(build: Path) -> None:
    assert versions(deployed(build, LogLevel="DEBUG")) == versions(
        deployed(build, LogLevel="DEBUG")
    )


@needs_sam
def test_a_code_change_alone_publishes_again(build: Path) -> None:
    before = versions(deployed(build))
    (build / "RestockFunction" / "app.py").write_text("handler = print\n")
    assert versions(deployed(build)) != before


@needs_sam
def test_without_code_version_sam_ignores_the_parameter_change() -> None:
    """The trap the CodeVersion parameter is for: SAM's own hash misses a parameter's value."""
    same = {"CodeVersion": "0" * 64}
    assert versions(translated(json.dumps(same))) == versions(
        translated(json.dumps(same | {"LogLevel": "DEBUG"}))
    )


@needs_sam
def test_snapstart_is_off_by_default_and_switched_by_its_parameter(build: Path) -> None:
    entry = next(iter(deployed(build).values()))
    assert entry["snap_start"] == {
        "ApplyOn": {"Fn::If": ["UsesSnapStart", "PublishedVersions", "None"]}
    }
    assert entry["deletion_policy"] == "Delete"  # a replaced version's snapshot is not kept
    assert versions(deployed(build, SnapStart="true")) != versions(deployed(build))


def test_code_version_depends_on_every_parameter_and_nothing_else(build: Path) -> None:
    values = parameter_values({})
    assert code_version(build, values) == code_version(build, dict(values))
    for name in values:
        assert code_version(build, values | {name: values[name] + "x"}) != code_version(
            build, values
        ), name


def test_the_overrides_keep_samconfig_s_and_end_with_code_version(build: Path) -> None:
    line, version = deploy_overrides("dev", ["SnapStart=true", "LogLevel=ERROR"], build)
    tokens = parse_overrides(line.split())
    assert tokens["StageName"] == "dev"  # samconfig.toml's [dev.deploy.parameters]
    assert (tokens["SnapStart"], tokens["LogLevel"]) == ("true", "ERROR")
    assert line.endswith(f"CodeVersion={version}") and len(version) == 64


def test_unknown_parameters_and_values_with_spaces_are_refused() -> None:
    with pytest.raises(ValueError, match="not parameters"):
        parameter_values({"LogLevl": "DEBUG"})
    with pytest.raises(ValueError, match="whitespace"):
        parse_overrides(["AllowedOrigins=a b"])
