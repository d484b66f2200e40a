"""The lock files agree with what the projects declare, and the tests run what the layer ships.

A dependency added to a pyproject.toml or a requirements/*.in without `make lock` fails here,
before an install from the stale lock would leave it out.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[2]
LAYER = REPO_ROOT / "layers" / "shared"
DEV_LOCK = REPO_ROOT / "requirements" / "dev.txt"
LAYER_LOCK = LAYER / "requirements.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)
OUR_PROJECTS = {"warehouse-devstack", "warehouse-inventory"}  # editable, not pinned


def pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(lock.read_text())}


def declared(pyproject: Path, *extras: str) -> list[Requirement]:
    project = tomllib.loads(pyproject.read_text())["project"]
    lines = project["dependencies"] + [
        line for extra in extras for line in project["optional-dependencies"][extra]
    ]
    return [Requirement(line) for line in lines]


def inputs(path: Path) -> list[Requirement]:
    """The requirements of a requirements/*.in file (not its comments or options)."""
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def unsatisfied(requirements: list[Requirement], lock: Path) -> list[str]:
    pinned = pins(lock)
    return [
        f"{requirement} (lock: {pinned.get(canonicalize_name(requirement.name))})"
        for requirement in requirements
        if canonicalize_name(requirement.name) not in OUR_PROJECTS
        and not requirement.specifier.contains(
            pinned.get(canonicalize_name(requirement.name), "0.dev0"), prereleases=True
        )
    ]


def test_the_dev_lock_pins_every_dependency_of_both_projects() -> None:
    wanted = declared(REPO_ROOT / "pyproject.toml", "dev") + declared(LAYER / "pyproject.toml")
    assert unsatisfied(wanted, DEV_LOCK) == []


def test_the_layer_lock_pins_the_layer_s_dependencies() -> None:
    assert unsatisfied(declared(LAYER / "pyproject.toml"), LAYER_LOCK) == []


def test_the_tests_run_the_versions_the_layer_ships() -> None:
    layer, dev = pins(LAYER_LOCK), pins(DEV_LOCK)
    assert layer
    assert {name: dev.get(name) for name in layer} == layer


@pytest.mark.parametrize("tool", ["sam", "checkov"])
def test_each_tool_lock_pins_what_its_input_asks_for(tool: str) -> None:
    wanted = inputs(REPO_ROOT / "requirements" / f"{tool}.in")
    assert wanted
    assert all(str(requirement.specifier).startswith("==") for requirement in wanted)
    assert unsatisfied(wanted, REPO_ROOT / "requirements" / f"{tool}.txt") == []
