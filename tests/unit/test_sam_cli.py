"""How `make invoke` / `make start-api` run the SAM CLI (warehouse_devstack.sam_cli)."""

import subprocess
from pathlib import Path

import pytest

from tests.support.event_files import EVENTS_DIR
from warehouse_devstack import sam_cli
from warehouse_devstack.sam_cli import (
    LOCAL_ARCHITECTURE,
    LOCAL_BUILD_DIR,
    NoDockerEngine,
    SamCli,
    exported_variables,
    samlocal_script,
)
from warehouse_devstack.template import REPO_ROOT, Template


def test_local_commands_run_this_machine_s_build_with_samconfig() -> None:
    cli = SamCli(prefix=("sam",), engine="test", pull_options=("--skip-pull-image",))
    command = cli.command("local", "invoke", "HealthFunction")
    assert command[:4] == ["sam", "local", "invoke", "HealthFunction"]
    options = dict(zip(command[4::2], command[5::2], strict=False))
    assert options["--template-file"] == str(LOCAL_BUILD_DIR / "template.yaml")
    assert options["--config-file"] == str(REPO_ROOT / "samconfig.toml")
    # A --parameter-overrides option replaces samconfig.toml's: its local timeout stays in.
    overrides = dict(pair.split("=", 1) for pair in options["--parameter-overrides"].split())
    assert overrides == {"FunctionTimeout": "29", "Architecture": LOCAL_ARCHITECTURE}
    assert command[-1] == "--skip-pull-image"
    assert cli.command("build") == ["sam", "build"]  # only `sam local` takes them


def test_samlocal_s_exports_become_the_environment() -> None:
    exports = "export DOCKER_HOST=unix:///tmp/samlocal/docker.sock AWS_ACCESS_KEY_ID=testing\n"
    assert exported_variables(exports) == {
        "DOCKER_HOST": "unix:///tmp/samlocal/docker.sock",
        "AWS_ACCESS_KEY_ID": "testing",
    }


def test_samlocal_is_found_beside_a_parent_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI checks the repository out next to shared/; a worktree may sit one level deeper."""
    script = tmp_path / "shared" / "tools" / "samlocal.sh"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.delenv("SAMLOCAL_SH", raising=False)
    for repository in [tmp_path / "repo", tmp_path / "worktrees" / "repo"]:
        monkeypatch.setattr(sam_cli, "REPO_ROOT", repository)
        assert samlocal_script() == script
    monkeypatch.setattr(sam_cli, "REPO_ROOT", tmp_path / "elsewhere" / "repo")
    monkeypatch.setenv("SAMLOCAL_SH", str(tmp_path / "missing.sh"))
    with pytest.raises(NoDockerEngine, match=r"missing\.sh"):
        samlocal_script()  # a named script that is not there is an error, not a fallback


def test_make_invoke_finds_each_function_s_event_file(template: Template) -> None:
    """`make invoke FN=RestockFunction` uses events/restock.json: the Makefile's rule."""
    for spec in template.functions():
        dry_run = subprocess.run(
            ["make", "-n", "--no-print-directory", "invoke", f"FN={spec.logical_id}"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (line,) = [line for line in dry_run.splitlines() if "local invoke" in line]
        event = f"events/{spec.code_dir.name}.json"
        assert f"local invoke {spec.logical_id} --event {event}" in line
        assert (EVENTS_DIR.parent / event).is_file()


def test_the_environment_waits_longer_for_containers_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SAM_CLI_CONTAINER_CONNECTION_TIMEOUT", raising=False)
    monkeypatch.setenv("AWS_PROFILE", "work")
    direct = SamCli(prefix=("sam",), engine="test")
    assert direct.environment()["SAM_CLI_CONTAINER_CONNECTION_TIMEOUT"] == "120"
    assert direct.environment()["AWS_PROFILE"] == "work"
    harness = SamCli(prefix=("sam",), engine="test", env={"AWS_ACCESS_KEY_ID": "testing"})
    assert "AWS_PROFILE" not in harness.environment()  # its fake credentials, not a profile
    monkeypatch.setenv("SAM_CLI_CONTAINER_CONNECTION_TIMEOUT", "300")
    assert direct.environment()["SAM_CLI_CONTAINER_CONNECTION_TIMEOUT"] == "300"
