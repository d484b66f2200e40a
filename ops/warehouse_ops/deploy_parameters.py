"""The parameter overrides `make deploy` passes to `sam deploy`, with CodeVersion: a hash of the
build output and of every parameter's value.

Why: the API functions publish versions behind the `live` alias (AutoPublishAlias), and SAM
names a version by a hash of the function's code and environment taken before parameters are
substituted, so a change of a parameter alone (LogLevel, AllowedOrigins, SnapStart...) would
update `$LATEST` while the alias kept serving the old version. AutoPublishCodeSha256 is the one
property where SAM resolves a parameter: given CodeVersion, a new version is published exactly
when the code or a parameter value changed. The template refuses an empty CodeVersion.

    python -m warehouse_ops.deploy_parameters [--config-env dev] [--build-dir .aws-sam/build] \
        [KEY=VALUE ...]                 # the overrides, CodeVersion last
    python -m warehouse_ops.deploy_parameters --code-version ...   # the hash alone
"""

import argparse
import hashlib
import shlex
import sys
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from warehouse_devstack.template import REPO_ROOT, TEMPLATE_PATH, Template

CODE_VERSION = "CodeVersion"
SAMCONFIG = REPO_ROOT / "samconfig.toml"
BUILD_DIR = REPO_ROOT / ".aws-sam" / "build"


def parse_overrides(tokens: Iterable[str]) -> dict[str, str]:
    """`KEY=VALUE` tokens (sam's --parameter-overrides form) as a mapping; a value with
    whitespace is refused (the Makefile passes the tokens through the shell unquoted)."""
    values: dict[str, str] = {}
    for token in tokens:
        key, separator, value = token.partition("=")
        if not separator or not key:
            raise ValueError(f"not KEY=VALUE: {token!r}")
        if any(character.isspace() for character in value):
            raise ValueError(f"{key}: a value with whitespace cannot be passed on")
        values[key] = value
    return values


def samconfig_overrides(config_env: str, samconfig: Path = SAMCONFIG) -> dict[str, str]:
    """What samconfig.toml's `[<env>.deploy.parameters] parameter_overrides` sets (`sam deploy
    --parameter-overrides` replaces it, so it is passed on with the rest)."""
    config: dict[str, Any] = tomllib.loads(samconfig.read_text())
    overrides = config.get(config_env, {}).get("deploy", {}).get("parameters", {})
    listed = overrides.get("parameter_overrides", "")
    tokens = shlex.split(listed) if isinstance(listed, str) else list(listed)
    return parse_overrides(tokens)


def parameter_values(overrides: dict[str, str], template: Path = TEMPLATE_PATH) -> dict[str, str]:
    """Every parameter's value as the deploy will see it: the template's default, overridden."""
    parameters: dict[str, Any] = Template(template).document.get("Parameters", {})
    unknown = set(overrides) - set(parameters)
    if unknown:
        raise ValueError(f"not parameters of the template: {', '.join(sorted(unknown))}")
    values = {name: str(spec.get("Default", "")) for name, spec in parameters.items()}
    values |= overrides
    values.pop(CODE_VERSION, None)
    return values


def code_version(build_dir: Path, values: dict[str, str]) -> str:
    """sha256 of every file of the build output (path and bytes, in path order) and every
    parameter's name and value: the same for the same inputs, different when any changed."""
    if not (build_dir / "template.yaml").is_file():
        raise FileNotFoundError(f"no build in {build_dir}: run `make build` first")
    digest = hashlib.sha256()
    for path in sorted(p for p in build_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(build_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, value in sorted(values.items()):
        digest.update(f"{name}={value}\0".encode())
    return digest.hexdigest()


def deploy_overrides(config_env: str, extra: Sequence[str], build_dir: Path) -> tuple[str, str]:
    """(the overrides for `sam deploy`, CodeVersion)."""
    overrides = samconfig_overrides(config_env) | parse_overrides(extra)
    overrides.pop(CODE_VERSION, None)
    version = code_version(build_dir, parameter_values(overrides))
    tokens = [f"{key}={value}" for key, value in overrides.items()]
    return " ".join([*tokens, f"{CODE_VERSION}={version}"]), version


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse_ops.deploy_parameters")
    parser.add_argument("overrides", nargs="*", help="KEY=VALUE, over samconfig.toml's")
    parser.add_argument("--config-env", default="default", help="samconfig.toml environment")
    parser.add_argument("--build-dir", type=Path, default=BUILD_DIR)
    parser.add_argument("--code-version", action="store_true", help="print the hash alone")
    args = parser.parse_args(argv)
    try:
        line, version = deploy_overrides(args.config_env, args.overrides, args.build_dir)
    except (ValueError, FileNotFoundError) as exc:
        sys.stderr.write(f"deploy parameters: {exc}\n")
        return 2
    sys.stdout.write((version if args.code_version else line) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
