"""Cold starts: one fresh Python process per request, timed from spawn to response.

Each run is what Lambda does on a cold start, minus the download of the code: a new interpreter
(the runtime's version, `PYTHONDONTWRITEBYTECODE=1`, so nothing compiled is kept between runs),
sys.path = [function dir, layer's python/, runtime's boto3] from the `sam build` output, the
function's environment from template.yaml as deployed (tracing on: X-Ray through Powertools),
importing the handler and serving the function's sample event against DynamoDB Local.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.build import Build
from bench.fixtures import Event, fresh
from warehouse_devstack.template import REPO_ROOT, FunctionSpec, Template

CHILD = REPO_ROOT / "bench" / "cold_start_child.py"
BASELINE_DIR = REPO_ROOT / "bench" / "baseline"
BASELINE = "baseline"
XRAY_DAEMON = "127.0.0.1:2000"  # nothing listens: segments are sent (UDP) and dropped
VARIANTS = ("pyc", "no_pyc")


@dataclass
class Subject:
    """A function (or the baseline) to start cold: its code, event and environment."""

    name: str
    route: str
    code_dir: Path
    handler: str
    event: Event
    environment: dict[str, str]
    prepare: Callable[[], None] = lambda: None


@dataclass
class Samples:
    total_ms: list[float] = field(default_factory=list)
    import_ms: list[float] = field(default_factory=list)
    invoke_ms: list[float] = field(default_factory=list)
    modules: int = 0

    def add(self, total_ms: float, child: dict[str, Any]) -> None:
        self.total_ms.append(total_ms)
        self.import_ms.append(float(child["import_ms"]))
        self.invoke_ms.append(float(child["invoke_ms"]))
        self.modules = int(child["modules"])

    def summary(self, baseline_ms: float | None) -> dict[str, Any]:
        median = statistics.median(self.total_ms)
        return {
            "median_ms": round(median, 1),
            "ratio": round(median / baseline_ms, 2) if baseline_ms else None,
            "import_median_ms": round(statistics.median(self.import_ms), 1),
            "invoke_median_ms": round(statistics.median(self.invoke_ms), 1),
            "min_ms": round(min(self.total_ms), 1),
            "max_ms": round(max(self.total_ms), 1),
            "runs": len(self.total_ms),
            "modules_loaded": self.modules,
            "samples_ms": [round(value, 1) for value in self.total_ms],
        }


def memory_size(template: Template, logical_id: str) -> int:
    globals_ = template.document.get("Globals", {}).get("Function", {})
    properties = template.resources.get(logical_id, {}).get("Properties", {})
    return int(properties.get("MemorySize", globals_.get("MemorySize", 128)))


def tracing_mode(template: Template, logical_id: str) -> str:
    globals_ = template.document.get("Globals", {}).get("Function", {})
    properties = template.resources.get(logical_id, {}).get("Properties", {})
    return str(properties.get("Tracing", globals_.get("Tracing", "PassThrough")))


def lambda_environment(
    template: Template,
    spec: FunctionSpec,
    task_root: Path,
    runtime: Path,
    endpoint_url: str,
    home: Path,
) -> dict[str, str]:
    """What Lambda puts in a function's environment, then the template's variables."""
    name = spec.logical_id
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "HOME": str(home),  # empty: no ~/.aws of the machine's user
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_size(template, name)),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": str(runtime),
        "_HANDLER": spec.handler,
    }
    if tracing_mode(template, name) == "Active":
        host, port = XRAY_DAEMON.split(":")
        environment |= {
            "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;"
            "Parent=53995c3f42cd8ad8;Sampled=1",
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "AWS_XRAY_DAEMON_ADDRESS": XRAY_DAEMON,
            "_AWS_XRAY_DAEMON_ADDRESS": host,
            "_AWS_XRAY_DAEMON_PORT": port,
        }
    environment |= spec.environment
    environment["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint_url
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)
    return environment


def run_once(build: Build, subject: Subject, layer: Path, scratch: Path) -> dict[str, Any]:
    """Spawn, import, serve one request; the parent's clock covers all of it."""
    subject.prepare()
    event_path = scratch / "event.json"
    event_path.write_text(json.dumps(fresh(subject.event)))
    reader, writer = os.pipe()
    with (scratch / "stderr.log").open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            [
                *(str(build.python), "-S", "-P", str(CHILD), str(writer), str(event_path)),
                *(subject.handler, str(subject.code_dir), str(layer / "python")),
                str(build.runtime),
            ],
            env=subject.environment,
            cwd=subject.code_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # the functions' logs and metrics (EMF) go there
            stderr=stderr,
            pass_fds=(writer,),
        )
        os.close(writer)
        with os.fdopen(reader, "rb") as result:
            data = result.read()  # EOF once the child has answered (it closes the pipe)
        elapsed_ms = (time.perf_counter() - started) * 1000
        process.wait()
    if not data:
        log = (scratch / "stderr.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{subject.name}: no response (exit {process.returncode}):\n{log}")
    child: dict[str, Any] = json.loads(data)
    if not 200 <= int(child["status"] or 0) < 300:
        raise RuntimeError(f"{subject.name}: status {child['status']}: {child['body']}")
    child["total_ms"] = elapsed_ms
    return child


def no_pyc_rounds(runs: int, no_pyc_runs: int) -> set[int]:
    """The rounds (1-based) that also start each function without bytecode: spread evenly, so
    a busy machine's drift reaches both variants alike."""
    wanted = min(max(no_pyc_runs, 1), runs)
    return {1 + (index * runs) // wanted for index in range(wanted)}


def measure(
    build: Build,
    baseline: Subject,
    functions: list[Subject],
    rounds: tuple[int, int],
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """`rounds` = (rounds with bytecode, how many of them also without); each round visits every
    function (shuffled) and the baseline twice, so drift of a busy machine reaches all of them
    alike. The layer without bytecode only shows what the .pyc saves (no target): a few rounds
    give its median; the targets' variant and the baseline get every round."""
    runs, without = rounds
    also_without = no_pyc_rounds(runs, without)
    layers = {"pyc": build.layer_with_pyc, "no_pyc": build.layer_without_pyc}
    samples: dict[tuple[str, str], Samples] = {}
    failures: dict[str, str] = {}
    shuffle = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as scratch_dir:
        scratch = Path(scratch_dir)
        for subject in [baseline, *functions]:  # untimed: checks every event, warms the caches
            try:
                run_once(build, subject, layers["pyc"], scratch)
            except RuntimeError as exc:
                failures[subject.name] = str(exc)
        alive = [subject for subject in functions if subject.name not in failures]
        for round_number in range(1, runs + 1):
            started = time.perf_counter()
            order = alive[:]
            shuffle.shuffle(order)
            middle = len(order) // 2
            for index, subject in enumerate([baseline, *order[:middle], baseline, *order[middle:]]):
                variants = VARIANTS if round_number in also_without else ("pyc",)
                variants = ("pyc",) if subject is baseline else variants
                for variant in variants if index % 2 else reversed(variants):
                    child = run_once(build, subject, layers[variant], scratch)
                    samples.setdefault((subject.name, variant), Samples()).add(
                        child["total_ms"], child
                    )
            took = time.perf_counter() - started
            progress(f"cold start round {round_number}/{runs}: {took:.1f} s")
    baseline_ms = statistics.median(samples[(BASELINE, "pyc")].total_ms)
    result: dict[str, Any] = {
        "baseline": {"route": baseline.route} | samples[(BASELINE, "pyc")].summary(baseline_ms),
        "functions": {},
        "failures": failures,
    }
    for subject in alive:
        result["functions"][subject.name] = {"route": subject.route} | {
            variant: samples[(subject.name, variant)].summary(baseline_ms) for variant in VARIANTS
        }
    return result


def python_version(python: Path) -> str:
    return (
        subprocess.run(
            [str(python), "-c", "import sys; print(sys.version.split()[0])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        or sys.version.split()[0]
    )
