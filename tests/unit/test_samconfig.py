"""samconfig.toml's environments name real template parameters with allowed values, and each has
what `sam deploy --config-env <env>`, `sam local invoke` and `sam local start-api` need."""

import re
import tomllib
from typing import Any

import pytest

from warehouse_devstack.template import PSEUDO_PARAMETERS, REPO_ROOT, Template

SAMCONFIG = REPO_ROOT / "samconfig.toml"
ENVIRONMENTS = ["default", "dev", "prod"]
LOCAL_COMMANDS = ["local_invoke", "local_start_api"]


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    with SAMCONFIG.open("rb") as file:
        return tomllib.load(file)


def overrides(config: dict[str, Any], environment: str) -> dict[str, str]:
    """`parameter_overrides = "A=1 B=two"` -> {"A": "1", "B": "two"} (no quoted values here)."""
    text = config[environment]["deploy"]["parameters"]["parameter_overrides"]
    pairs = [item.split("=", 1) for item in text.split()]
    assert all(len(pair) == 2 and pair[1] for pair in pairs), text
    return dict(pairs)


def test_the_three_environments_deploy_to_their_own_stacks(config: dict[str, Any]) -> None:
    names = [config[env]["global"]["parameters"]["stack_name"] for env in ENVIRONMENTS]
    assert len(set(names)) == len(ENVIRONMENTS)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_overrides_name_template_parameters_with_allowed_values(
    config: dict[str, Any], template: Template, environment: str
) -> None:
    parameters = template.document["Parameters"]
    for name, value in overrides(config, environment).items():
        assert name in parameters, f"{environment}: {name} is not a template parameter"
        spec = parameters[name]
        if "AllowedValues" in spec:
            assert value in [str(allowed) for allowed in spec["AllowedValues"]], (name, value)
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], value), (name, value)
        if "MinValue" in spec:
            assert float(value) >= float(spec["MinValue"]), (name, value)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_environment_states_its_architecture(
    config: dict[str, Any], environment: str
) -> None:
    """Stated, so that whoever changes it sees the note on building the layer for it."""
    assert overrides(config, environment)["Architecture"] in {"arm64", "x86_64"}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_deploy_settings(config: dict[str, Any], environment: str) -> None:
    deploy = config[environment]["deploy"]["parameters"]
    assert deploy["capabilities"] == "CAPABILITY_IAM"  # the functions' roles
    assert deploy["resolve_s3"] is True


@pytest.mark.parametrize("command", LOCAL_COMMANDS)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_sam_local_reaches_the_local_stack_from_its_containers(
    config: dict[str, Any], environment: str, command: str
) -> None:
    """The env-vars file names host.docker.internal: Linux engines need it mapped to the host
    (Docker Desktop maps it already). SAM CLI does not honour `docker_network = "host"`."""
    settings = config[environment][command]["parameters"]
    assert (REPO_ROOT / settings["env_vars"]).is_file()
    assert "host.docker.internal:host-gateway" in settings["add_host"]
    assert settings["region"] == PSEUDO_PARAMETERS["AWS::Region"]  # where its queues live
    assert "docker_network" not in settings


def test_prod_confirms_its_changesets(config: dict[str, Any]) -> None:
    assert config["prod"]["deploy"]["parameters"]["confirm_changeset"] is True


@pytest.mark.parametrize("command", LOCAL_COMMANDS)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_sam_local_gives_a_function_the_longest_timeout_the_api_allows(
    config: dict[str, Any], template: Template, environment: str, command: str
) -> None:
    """A container's first start on a busy machine can outlast the deployed timeout, which SAM
    then reports as a function that timed out with no answer."""
    text = config[environment][command]["parameters"]["parameter_overrides"]
    timeout = template.document["Parameters"]["FunctionTimeout"]
    assert dict(item.split("=", 1) for item in text.split()) == {
        "FunctionTimeout": str(timeout["MaxValue"])
    }
    assert template.document["Globals"]["Function"]["Timeout"] == {"Ref": "FunctionTimeout"}
    assert timeout["Default"] < timeout["MaxValue"]
