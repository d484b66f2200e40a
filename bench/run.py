"""`make bench`: every performance figure and target at once, as a table and as JSON.

    python -m bench.run [--runs 9] [--no-pyc-runs 3] [--round-trip-runs 5] [--skip-build] ...

1. `sam build` for this machine's architecture into .aws-sam/bench; the layer with and without .pyc.
2. DynamoDB Local with the template's tables and the sample events' data.
3. Cold start of every API function (fresh process per run) against a bare boto3 handler.
4. AWS round trips per request of every route (botocore hooks), in this process; DynamoDB
   calls per stock change of the projector under a 1,000-change burst (bench/projector.py).
5. Warm overhead per request with the data layer faked (`python -m bench.warm`, own process).
6. The local stack under a mixed load from concurrent clients.
7. Layer size; targets (the run's own duration among them: at most 10 minutes);
   bench/results/<timestamp>.json and the cold start chart (also docs/bench-cold-start.png for
   the README).
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from bench import cold_start, local_stack, projector, report, round_trips
from bench.build import BUILD_ROOT, Build, layer_size, prepare
from bench.fixtures import Fixtures, event_file, event_name, load_event, route_label
from warehouse_devstack.backends.dynamodb_local import dynamodb_local, free_port
from warehouse_devstack.backends.provisioning import create_tables
from warehouse_devstack.stack import function_environment
from warehouse_devstack.template import REPO_ROOT, FunctionSpec, Template

RESULTS_DIR = REPO_ROOT / "bench" / "results"
# Samples chosen for a run of about 10 minutes on 2 cores. Cold start: 9 rounds give
# the median of each function with .pyc (the targets) and 18 of the baseline (twice a round);
# 3 of them also without .pyc, which only shows what the bytecode saves. Round trips are counts,
# the same for every request: 5 show that.
COLD_RUNS = 9
NO_PYC_RUNS = 3
ROUND_TRIP_RUNS = 5
README_CHART = REPO_ROOT / "docs" / "bench-cold-start.png"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--runs", type=int, default=COLD_RUNS, help="cold starts per function (layer with .pyc)"
    )
    parser.add_argument(
        "--no-pyc-runs",
        type=int,
        default=NO_PYC_RUNS,
        help="of those rounds, how many also start each function without .pyc (at least 1)",
    )
    parser.add_argument(
        "--round-trip-runs", type=int, default=ROUND_TRIP_RUNS, help="requests per route"
    )
    parser.add_argument("--warm-requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--stack-seconds", type=float, default=20.0)
    parser.add_argument("--stack-baseline-seconds", type=float, default=10.0)
    parser.add_argument("--skip-build", action="store_true", help="reuse .aws-sam/bench/sam")
    parser.add_argument("--no-readme-chart", action="store_true", help="leave docs/ alone")
    return parser.parse_args(argv)


def progress(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        cpu = next(
            line.split(":", 1)[1].strip() for line in lscpu.splitlines() if "Model name" in line
        )
    except (OSError, subprocess.CalledProcessError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": platform.platform(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def docker_engine() -> str:
    """`sam local start-api` runs each function in a Docker container."""
    try:
        subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=True)
    except (OSError, subprocess.SubprocessError):
        return (
            "not measurable here (no Docker engine; it starts a container per function, "
            "seconds for each first request)"
        )
    return "Docker engine present; not measured by this benchmark"


def api_functions(template: Template) -> list[FunctionSpec]:
    return [spec for spec in template.functions() if spec.routes]


def cold_start_subjects(
    template: Template, build: Build, fixtures: Fixtures, endpoint_url: str
) -> tuple[cold_start.Subject, list[cold_start.Subject], dict[str, str]]:
    home = BUILD_ROOT / "home"
    home.mkdir(parents=True, exist_ok=True)
    subjects, missing = [], {}
    for spec in api_functions(template):
        if not event_file(spec).is_file():
            missing[spec.logical_id] = f"no sample event {event_file(spec).name}"
            continue
        code_dir = build.function_dir(spec.logical_id)
        event = load_event(event_file(spec))
        subjects.append(
            cold_start.Subject(
                name=spec.logical_id,
                route=route_label(event),
                code_dir=code_dir,
                handler=spec.handler,
                event=event,
                environment=cold_start.lambda_environment(
                    template, spec, code_dir, build.runtime, endpoint_url, home
                ),
                prepare=fixtures.preparation(event_name(spec)),
            )
        )
    reference = subjects[0]
    environment = reference.environment | {
        "AWS_LAMBDA_FUNCTION_NAME": "BaselineFunction",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/BaselineFunction",
        "LAMBDA_TASK_ROOT": str(cold_start.BASELINE_DIR),
        "_HANDLER": "app.handler",
    }
    baseline = cold_start.Subject(
        name=cold_start.BASELINE,
        route="boto3 client + GetItem",
        code_dir=cold_start.BASELINE_DIR,
        handler="app.handler",
        event={},
        environment=environment,
    )
    return baseline, subjects, missing


def round_trip_cases(template: Template, fixtures: Fixtures) -> list[round_trips.Case]:
    cases = []
    for spec in api_functions(template):
        if not event_file(spec).is_file():
            continue
        event = load_event(event_file(spec))
        route, prepare_ = route_label(event), fixtures.preparation(event_name(spec))
        if route in round_trips.IDEMPOTENT_ROUTES:
            cases.append(round_trips.Case(route, spec, event, prepare_, False))
            key_label = f"{route} + Idempotency-Key"
            cases.append(round_trips.Case(key_label, spec, event, prepare_, True))
        else:
            cases.append(round_trips.Case(route, spec, event, prepare_, None))
    return cases


def on_dynamodb_local(
    template: Template, build: Build, args: argparse.Namespace, phases: "Phases"
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """Cold starts, round trips and the projector share one DynamoDB Local with the
    template's tables."""
    with dynamodb_local(free_port()) as endpoint:
        if endpoint.engine != "dynamodb-local":
            progress(f"WARNING: {endpoint.engine} instead of DynamoDB Local (Java missing?)")
        with function_environment(template, endpoint.url):
            from warehouse_inventory.settings import get_settings

            settings = get_settings()
            client = boto3.client("dynamodb", endpoint_url=endpoint.url)
            create_tables(client, template)
            fixtures = Fixtures(client, settings.table_name, settings.tokens_table_name)
            fixtures.seed()
            baseline, subjects, missing = cold_start_subjects(
                template, build, fixtures, endpoint.url
            )
            rounds = args.runs, min(args.no_pyc_runs, args.runs)
            with phases.timed(
                "cold start",
                f"{len(subjects)} API functions: {rounds[0]} runs with .pyc, {rounds[1]} without",
            ):
                cold = cold_start.measure(build, baseline, subjects, rounds, progress)
            cold["failures"] |= missing
            with phases.timed("round trips", f"{args.round_trip_runs} requests per route"):
                trips = round_trips.measure(
                    round_trip_cases(template, fixtures),
                    args.round_trip_runs,
                    settings.idempotency_table_name,
                )
            with phases.timed("projector", f"{projector.BURST_CHANGES}-change burst"):
                projected = projector.measure(settings.table_name)
    return cold, trips, projected


@dataclass
class Phases:
    """The seconds each part of the run took, so the run's duration can be read and kept."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, name: str, detail: str = "") -> Iterator[None]:
        progress(f"{name}: {detail}" if detail else name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 1)
            progress(f"{name}: {self.seconds[name]:.0f} s")


def warm(requests: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as scratch:
        output = Path(scratch) / "warm.json"
        subprocess.run(
            [sys.executable, "-m", "bench.warm", str(output), str(requests)],
            cwd=REPO_ROOT,
            check=True,
        )
        result: dict[str, Any] = json.loads(output.read_text())
    return result


def layers(build: Build) -> dict[str, Any]:
    return {
        "with_pyc": asdict(layer_size(build.layer_with_pyc)),
        "without_pyc": asdict(layer_size(build.layer_without_pyc)),
        "ships_pyc": build.layer_ships_pyc,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
    if args.runs < COLD_RUNS or args.no_pyc_runs < 1:
        progress(f"--runs {args.runs}: below the {COLD_RUNS} runs the published figures need")
    started = time.perf_counter()
    timestamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    meta: dict[str, Any] = {
        "timestamp": timestamp,
        "machine": machine(),
        "command": os.environ.get("BENCH_COMMAND", "").strip()
        or " ".join(["python -m bench.run", *sys.argv[1:]]),
    }
    template, phases = Template(), Phases()
    with phases.timed("build", "reusing .aws-sam/bench" if args.skip_build else ".aws-sam/bench"):
        build = prepare(template, skip_build=args.skip_build)
    meta |= {
        "python": cold_start.python_version(build.python),
        "architecture": build.architecture,
    }
    cold, trips, projected = on_dynamodb_local(template, build, args, phases)
    with phases.timed("warm overhead", f"{args.warm_requests} requests per handler"):
        warm_results = warm(args.warm_requests)
    with phases.timed("local stack", f"{args.clients} clients, {args.stack_seconds:g} s mixed"):
        stack = local_stack.measure(
            args.clients, args.stack_seconds, args.stack_baseline_seconds, progress
        )
    meta["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    meta["duration_s"] = round(time.perf_counter() - started, 1)
    meta["phases_s"] = phases.seconds
    results: dict[str, Any] = {
        "meta": meta,
        "cold_start": cold,
        "warm": warm_results,
        "round_trips": trips,
        "projector": projected,
        "local_stack": stack,
        "sam_local": docker_engine(),
        "layer": layers(build),
    }
    results["targets"] = report.targets(results)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS_DIR / f"{timestamp}.json"
    json_path.write_text(json.dumps(results, indent=2))
    chart_path = RESULTS_DIR / f"{timestamp}-cold-start.png"
    report.chart(results, chart_path)
    if not args.no_readme_chart:
        README_CHART.parent.mkdir(exist_ok=True)
        shutil.copyfile(chart_path, README_CHART)
    print(report.render(results))
    print(f"\nSaved {json_path.relative_to(REPO_ROOT)} and {chart_path.relative_to(REPO_ROOT)}")
    print(report.duration_text(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
