"""The performance page's figures, from the benchmark results committed in docs/.

`make bench` writes bench/results/<timestamp>.json (not committed); `make docs
BENCH=bench/results/<timestamp>.json` copies a run into docs/bench-results.json, and every
figure of docs/performance.md is then written from that file by the benchmark's own report code.
"""

import json
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from warehouse_devstack.docs.markdown import fenced, table
from warehouse_devstack.template import REPO_ROOT

BENCH_FILE = REPO_ROOT / "docs" / "bench-results.json"


def adopt(results: Path) -> None:
    """Make `results` (a `make bench` JSON) the one the docs show."""
    json.loads(results.read_text())  # refuse anything that is not JSON before replacing
    shutil.copyfile(results, BENCH_FILE)
    load.cache_clear()


@cache
def load() -> dict[str, Any]:
    results: dict[str, Any] = json.loads(BENCH_FILE.read_text())
    return results


def bench_table_section() -> str:
    from bench import report

    return fenced(report.render(load()))


def bench_machine_section() -> str:
    meta = load()["meta"]
    machine = meta["machine"]
    start, end = machine["load_average_at_start"][0], machine["load_average_at_end"][0]
    return (
        f"Run {meta['timestamp']} with `{meta['command']}`, {meta['duration_s']:.0f} s, on "
        f"{machine['cpu']} ({machine['cores']} cores, {machine['system']}), Python "
        f"{meta['python']} ({meta['architecture']}); load average {start:g} at the start and "
        f"{end:g} at the end."
    ) + (f" {meta['note']}" if meta.get("note") else "")


def bench_summary_section() -> str:
    results = load()
    cold = results["cold_start"]["functions"]
    ratios = sorted(figures["pyc"]["ratio"] for figures in cold.values())
    savings = sorted(
        1 - figures["pyc"]["median_ms"] / figures["no_pyc"]["median_ms"]
        for figures in cold.values()
    )
    layer = results["layer"]
    met = sum(target["status"] == "PASS" for target in results["targets"])
    rows = [
        [
            "API functions' cold start, to the bare boto3 handler",
            f"{ratios[0]:.2f}x … {ratios[-1]:.2f}x",
        ],
        ["cold start saved by the layer's bytecode", f"{savings[0]:.0%} … {savings[-1]:.0%}"],
        *(
            [f"warm overhead, {figures['route']}", f"+{figures['overhead_us']:.0f} µs"]
            for name, figures in results["warm"].items()
            if name != "baseline"
        ),
        ["layer unzipped, with bytecode", f"{layer['with_pyc']['unzipped_bytes'] / 1e6:.1f} MB"],
        ["targets met", f"{met} of {len(results['targets'])}"],
    ]
    return table(["figure", "value"], rows)


WRITERS: dict[str, Callable[[], str]] = {
    "bench-table": bench_table_section,
    "bench-machine": bench_machine_section,
    "bench-summary": bench_summary_section,
}
