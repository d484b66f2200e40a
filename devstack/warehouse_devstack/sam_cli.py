"""Runs the SAM CLI (`.venv-sam`) with a Docker engine for `sam local invoke` / `start-api`.

The developer's own engine when one answers (DOCKER_HOST or the default socket). Otherwise the
samlocal.sh harness, which starts a private engine with stand-in Lambda base images on machines
that run none (x86_64 only): found through SAMLOCAL_SH, else as shared/tools/samlocal.sh next to
the repository or one of its parent folders. Its `up` is idempotent (about a second once up);
its `env` prints what sam needs to use that engine. `sam` runs through devstack/sam_entry.py,
which fixes start-api's choice of authorizer on paths that also have a preflight route.

`sam local` commands run the build of this machine's architecture (`make sam-local-build`, kept
apart from .aws-sam/build, which `sam deploy` uses) with samconfig.toml's local settings. The
functions find DynamoDB and SQS through devstack/sam-local-env.json; when a local stack is
running (endpoints_file.py) on other ports, a copy with its ports is passed instead, and either
way the command says where the functions will look:

    python -m warehouse_devstack.sam_cli local invoke RestockFunction -e events/restock.json
"""

import json
import os
import platform
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from warehouse_devstack.endpoints_file import StackEndpoints, running_stack, state_file
from warehouse_devstack.template import REPO_ROOT

SAM = REPO_ROOT / ".venv-sam" / "bin" / "sam"
SAM_ENTRY = REPO_ROOT / "devstack" / "sam_entry.py"
# Docker runs the functions natively only on the machine's own architecture (as the Makefile).
LOCAL_ARCHITECTURE = "arm64" if platform.machine() in {"aarch64", "arm64"} else "x86_64"
LOCAL_BUILD_DIR = REPO_ROOT / ".aws-sam" / f"local-{LOCAL_ARCHITECTURE}"
SAMCONFIG = REPO_ROOT / "samconfig.toml"


def local_parameter_overrides() -> str:
    """samconfig.toml's `sam local` overrides plus this machine's architecture: a
    --parameter-overrides option replaces the file's, so both are passed here."""
    with SAMCONFIG.open("rb") as file:
        local = tomllib.load(file)["default"]["local_invoke"]["parameters"]
    return f"{local.get('parameter_overrides', '')} Architecture={LOCAL_ARCHITECTURE}".strip()


LOCAL_OPTIONS = (
    *("--template-file", str(LOCAL_BUILD_DIR / "template.yaml")),
    # With the template in .aws-sam, SAM would look for samconfig.toml there.
    *("--config-file", str(SAMCONFIG)),
    *("--parameter-overrides", local_parameter_overrides()),
)
ENV_VARS_FILE = REPO_ROOT / "devstack" / "sam-local-env.json"
RUNNING_ENV_VARS_NAME = "sam-local-env.json"
"""ENV_VARS_FILE with the running stack's ports, written beside its endpoints file."""
ENDPOINT_VARIABLES = {"AWS_ENDPOINT_URL_DYNAMODB": "DynamoDB", "AWS_ENDPOINT_URL_SQS": "SQS"}
SAMLOCAL_VARIABLE = "SAMLOCAL_SH"
SAMLOCAL_RELATIVE = Path("shared") / "tools" / "samlocal.sh"
SAM_DEFAULTS = {
    # How long SAM waits for a new container's runtime to listen (20 s by default) before it
    # gives up, printing no answer and exiting 0. On a busy machine, or an engine that copies
    # each container's file system (samlocal.sh's vfs storage), starting one can take longer.
    "SAM_CLI_CONTAINER_CONNECTION_TIMEOUT": "120",
}
# SAM CLI's own Docker client, as `sam local` will create it (honours DOCKER_HOST).
PING = "import docker; docker.from_env(timeout=10).ping()"


class NoDockerEngine(RuntimeError):
    """Neither a Docker engine nor the samlocal.sh harness is available."""


@dataclass(frozen=True)
class SamCli:
    prefix: tuple[str, ...]  # the command that runs `sam`
    engine: str  # which Docker engine, for messages
    pull_options: tuple[str, ...] = ()  # appended to `sam local ...` commands
    env: dict[str, str] = field(default_factory=dict)  # added to the environment

    def command(self, *args: str) -> list[str]:
        extra = (*LOCAL_OPTIONS, *self.pull_options) if args[:1] == ("local",) else ()
        return [*self.prefix, *args, *extra]

    def environment(self) -> dict[str, str]:
        environment = SAM_DEFAULTS | os.environ | {"SAM_CLI_TELEMETRY": "0"} | self.env
        if self.env:  # samlocal.sh's credentials, not a profile's (as its own `sam` does)
            environment.pop("AWS_PROFILE", None)
        return environment


def docker_engine_answers() -> bool:
    python = SAM.parent / "python"
    try:
        subprocess.run([str(python), "-c", PING], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def samlocal_script() -> Path | None:
    """SAMLOCAL_SH when set (it must exist), else shared/tools/samlocal.sh beside the nearest
    parent folder that has one."""
    if configured := os.environ.get(SAMLOCAL_VARIABLE):
        script = Path(configured)
        if not script.is_file():
            raise NoDockerEngine(f"{SAMLOCAL_VARIABLE}={configured} does not exist")
        return script
    candidates = [folder / SAMLOCAL_RELATIVE for folder in REPO_ROOT.parents]
    return next((script for script in candidates if script.is_file()), None)


def sam_cli() -> SamCli:
    """The SAM CLI with a Docker engine, starting samlocal.sh's engine when needed."""
    if not SAM.is_file():
        raise NoDockerEngine(f"{SAM} is missing: run `make {SAM.parent.parent.name}/.installed`")
    prefix = (str(SAM.parent / "python"), str(SAM_ENTRY))
    if docker_engine_answers():
        return SamCli(prefix=prefix, engine="the Docker engine of this machine")
    script = samlocal_script()
    if script is None:
        raise NoDockerEngine(
            "no Docker engine answers and no samlocal.sh was found "
            f"(set {SAMLOCAL_VARIABLE} to its path, or start Docker)"
        )
    subprocess.run([str(script), "up"], check=True, stdout=sys.stderr)
    exports = subprocess.run([str(script), "env"], check=True, capture_output=True, text=True)
    return SamCli(
        prefix=prefix,
        engine=f"samlocal.sh's private engine ({script})",
        # Its images are built locally under the names SAM would otherwise pull.
        pull_options=("--skip-pull-image",),
        env=exported_variables(exports.stdout),
    )


def exported_variables(exports: str) -> dict[str, str]:
    """`export A=1 B=2` (samlocal.sh env) -> {"A": "1", "B": "2"}."""
    words = shlex.split(exports)
    return dict(word.split("=", 1) for word in words if "=" in word)


def with_stack_ports(parameters: dict[str, str], stack: StackEndpoints) -> dict[str, str]:
    """The env vars' endpoints moved to the ports `stack` listens on (same host names)."""
    ports = {
        "AWS_ENDPOINT_URL_DYNAMODB": urlsplit(stack.dynamodb_url).port,
        "AWS_ENDPOINT_URL_SQS": urlsplit(stack.sqs_url).port,
    }
    moved = dict(parameters)
    for name, port in ports.items():
        url = urlsplit(parameters[name])
        moved[name] = url._replace(netloc=f"{url.hostname}:{port}").geturl()
    return moved


def endpoint_options(args: Sequence[str]) -> tuple[list[str], str | None]:
    """For `sam local` without its own --env-vars: the options that point the functions at the
    running stack, and a line saying where they will look (None for other commands)."""
    if list(args[:1]) != ["local"] or "--env-vars" in args:
        return [], None
    document = json.loads(ENV_VARS_FILE.read_text())
    options: list[str] = []
    stack = running_stack()
    if stack is None:
        source = f"{ENV_VARS_FILE.name}; no running stack in {state_file()}"
    else:
        document["Parameters"] = with_stack_ports(document["Parameters"], stack)
        env_vars = state_file().parent / RUNNING_ENV_VARS_NAME
        env_vars.write_text(json.dumps(document, indent=2) + "\n")
        options = ["--env-vars", str(env_vars)]
        source = f"the running local stack, pid {stack.pid}"
    found = ", ".join(
        f"{name} at {document['Parameters'][variable]}"
        for variable, name in ENDPOINT_VARIABLES.items()
    )
    return options, f"the functions find {found} ({source})"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        cli = sam_cli()
    except NoDockerEngine as exc:
        sys.stderr.write(f"sam_cli: {exc}\n")
        return 1
    sys.stderr.write(f"sam_cli: using {cli.engine}\n")
    options, endpoints = endpoint_options(args)
    if endpoints:
        sys.stderr.write(f"sam_cli: {endpoints}\n")
    command = cli.command(*args, *options)
    os.execvpe(command[0], command, cli.environment())  # noqa: S606 - sam, with the caller's args


if __name__ == "__main__":
    sys.exit(main())
