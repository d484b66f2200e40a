"""What the cold start runs on: a `sam build` for this machine's architecture, the layer with and
without bytecode, and a stand-in for the Lambda runtime's own boto3.

All of it lives under .aws-sam/bench (git-ignored), apart from the project's own .aws-sam/build.
"""

import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from warehouse_devstack.template import REPO_ROOT, Template

BUILD_ROOT = REPO_ROOT / ".aws-sam" / "bench"  # git-ignored, and gone with `make clean`
SAM = REPO_ROOT / ".venv-sam" / "bin" / "sam"
# Lambda architecture and the layer Makefile's pip platform, per `uname -m`.
ARCHITECTURES = {
    "x86_64": ("x86_64", "manylinux2014_x86_64"),
    "aarch64": ("arm64", "manylinux2014_aarch64"),
    "arm64": ("arm64", "manylinux2014_aarch64"),
}
PIP_INSTALL = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]


def compileall_command(python: Path) -> list[str]:
    """What the layer Makefile runs: bytecode valid whatever the files' mtimes."""
    options = ["-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
    return [str(python), "-m", "compileall", *options]


@dataclass(frozen=True)
class Build:
    root: Path  # sam build's output: <LogicalId>/ per function, SharedLayer/python
    layer_with_pyc: Path  # the layer as built (python/ inside)
    layer_without_pyc: Path  # a copy without any bytecode
    layer_ships_pyc: bool  # False: the build shipped none and layer_with_pyc was compiled here
    runtime: Path  # boto3 & co., as the Lambda runtime provides them
    python: Path  # the runtime's Python version on this machine
    architecture: str

    def function_dir(self, logical_id: str) -> Path:
        return self.root / logical_id


def host_architecture() -> tuple[str, str]:
    machine = platform.machine()
    if machine not in ARCHITECTURES:
        raise SystemExit(f"no Lambda architecture for this machine ({machine})")
    return ARCHITECTURES[machine]


def runtime_python(template: Template) -> Path:
    """The Globals' runtime (python3.12) as installed here: on PATH, else this venv's base."""
    runtime = str(template.document["Globals"]["Function"]["Runtime"])  # "python3.12"
    found = shutil.which(runtime) or str(Path(sys.base_prefix) / "bin" / runtime)
    probe = "import sys; print('python%d.%d' % sys.version_info[:2], sys.executable)"
    answer = subprocess.run(
        [found, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    if answer[0] != runtime:
        raise SystemExit(f"{found} is {answer[0]}, the template's runtime is {runtime}")
    return Path(answer[1])  # the interpreter itself, not a pyenv shim (which needs a cwd)


def architecture_overrides(template: Template, architecture: str) -> list[str]:
    """Template parameters that choose an architecture (AllowedValues x86_64/arm64) -> host."""
    overrides = []
    for name, parameter in template.document.get("Parameters", {}).items():
        if {"x86_64", "arm64"} <= set(parameter.get("AllowedValues", [])):
            overrides.append(f"{name}={architecture}")
    return overrides


def sam_build(template: Template, python: Path) -> Path:
    """`sam build` into .aws-sam/bench/sam for this machine's architecture (cached between runs)."""
    architecture, pip_platform = host_architecture()
    build_dir, cache_dir = BUILD_ROOT / "sam", BUILD_ROOT / "sam-cache"
    command = [
        str(SAM),
        "build",
        "--template-file",
        str(template.path),
        "--build-dir",
        str(build_dir),
        "--cache-dir",
        str(cache_dir),
        "--cached",
        "--parallel",
    ]
    if overrides := architecture_overrides(template, architecture):
        command += ["--parameter-overrides", " ".join(overrides)]
    env = os.environ | {
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "ARCHITECTURE": architecture,  # the layer Makefile's wheels (sam build cannot tell it)
        "LAMBDA_PLATFORM": pip_platform,
    }
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"sam build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    check_architecture(build_dir / "SharedLayer" / "python", pip_platform)
    return build_dir


def check_architecture(layer_python: Path, pip_platform: str) -> None:
    """The layer's compiled extensions must be for this machine, or nothing imports."""
    machine = pip_platform.split("_", 1)[1]  # x86_64 / aarch64
    extensions = [path.name for path in layer_python.rglob("*.so")]
    wrong = [name for name in extensions if "linux-gnu" in name and machine not in name]
    if wrong:
        raise SystemExit(f"the built layer is not for {machine}: {wrong[:3]}")


def has_bytecode(directory: Path) -> bool:
    return any(directory.rglob("*.pyc"))


def layer_variants(build_dir: Path, python: Path) -> tuple[Path, Path, bool]:
    """(layer with bytecode, the same without, whether the build itself shipped bytecode)."""
    built = build_dir / "SharedLayer"
    ships_pyc = has_bytecode(built)
    with_pyc = built
    if not ships_pyc:  # measure what bytecode would give anyway; the report flags the build
        with_pyc = BUILD_ROOT / "layer-compiled"
        shutil.rmtree(with_pyc, ignore_errors=True)
        shutil.copytree(built, with_pyc)
        subprocess.run(
            [*compileall_command(python), str(with_pyc / "python")],
            check=True,
        )
    without_pyc = BUILD_ROOT / "layer-no-pyc"
    shutil.rmtree(without_pyc, ignore_errors=True)
    shutil.copytree(built, without_pyc, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return with_pyc, without_pyc, ships_pyc


def runtime_dir(python: Path) -> Path:
    """boto3 as the Lambda runtime has it (not in the layer): the version of this environment,
    installed once with bytecode, shared by the baseline and every function."""
    version = importlib.metadata.version("boto3")
    target = BUILD_ROOT / f"runtime-boto3-{version}"
    if not (target / "boto3").is_dir():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [*PIP_INSTALL, "--target", str(target), f"boto3=={version}"],
            check=True,
        )
        subprocess.run(
            [*compileall_command(python), str(target)],
            check=True,
        )
    return target


def prepare(template: Template, *, skip_build: bool = False) -> Build:
    python = runtime_python(template)
    architecture, _ = host_architecture()
    root = BUILD_ROOT / "sam" if skip_build else sam_build(template, python)
    with_pyc, without_pyc, ships_pyc = layer_variants(root, python)
    return Build(
        root=root,
        layer_with_pyc=with_pyc,
        layer_without_pyc=without_pyc,
        layer_ships_pyc=ships_pyc,
        runtime=runtime_dir(python),
        python=python,
        architecture=architecture,
    )


@dataclass(frozen=True)
class LayerSize:
    files: int
    unzipped_bytes: int
    zipped_bytes: int


def layer_size(layer: Path) -> LayerSize:
    """What Lambda counts: the bytes of every file, and the deflated zip SAM would upload."""
    files = sorted(path for path in layer.rglob("*") if path.is_file())
    archive = BUILD_ROOT / f"{layer.name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in files:
            zipped.write(path, path.relative_to(layer))
    size = LayerSize(len(files), sum(path.stat().st_size for path in files), archive.stat().st_size)
    archive.unlink()
    return size
