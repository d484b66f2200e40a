"""`warehouse import` on the local stack: a 1,000-line restock file in batches (the CLI's
default), against the same kind of file sent one line per request (`--batch-size 1`, the
single-line rate) as the baseline, in the same run on the same stack.

The files are a delivery: each line restocks its own stock record (SKUs x locations, shuffled),
as a delivery note lists each SKU and place once. The CLI runs in this process
(`warehouse_cli.app.run`, as the console script does) with its default concurrency; its JSON
summary gives the rate (lines processed / seconds, the summary's own figure).

Then the reports: from the end of the 1,000-line import until /reports/locations shows its
locations' totals (each file has locations of its own, so the expected lines are the file's),
polled every 0.25 s: how far the projector is behind an import.

    python -m bench.bulk_import    # only this part of `make bench`, on a stack of its own
"""

import io
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.local_stack import Client, Stack, running_stack

BULK_LINES = 1_000
BASELINE_LINES = 300  # one request per line: a smaller file measures the same rate sooner
LOCATIONS = 5
TARGET_LINES_PER_SECOND = 300.0
TARGET_REPORTS_CURRENT_S = 10.0
REPORTS_TIMEOUT_S = 120.0
POLL_SECONDS = 0.25

Summaries = dict[str, tuple[int, int]]
"""Per location code: (sku_count, total_quantity), as /reports/locations lists them."""


@dataclass(frozen=True)
class Delivery:
    path: Path
    locations: Summaries  # what the reports show once the file is projected


def delivery(directory: Path, lines: int) -> Delivery:
    """`lines` restocks, each of its own (SKU, location), in a shuffled order, at locations of
    the file's own."""
    tag = uuid.uuid4().hex[:6].upper()
    prefix, locations = f"BULK{tag}", [f"{tag}-{n}" for n in range(LOCATIONS)]
    skus = [f"{prefix}{n:04d}" for n in range(-(-lines // LOCATIONS))]
    records = [(sku, location) for sku in skus for location in locations][:lines]
    random.Random(lines).shuffle(records)
    rows = ["sku,quantity,location_code,type,reference"]
    summaries = dict.fromkeys(locations, (0, 0))
    for n, (sku, at) in enumerate(records):
        rows.append(f"{sku},{n % 50 + 1},{at},restock,PO-{n}")
        count, total = summaries[at]
        summaries[at] = (count + 1, total + n % 50 + 1)
    path = directory / f"{prefix}.csv"
    path.write_text("\n".join(rows) + "\n")
    return Delivery(path, summaries)


def reported_locations(client: Client, wanted: Summaries) -> Summaries:
    """The wanted locations' lines of /reports/locations, every page."""
    found: Summaries = {}
    path: str | None = "/reports/locations?limit=100"
    while path:
        status, _, content = client.exchange(("GET", path, None))
        if status != 200:
            raise RuntimeError(f"/reports/locations answered {status}")
        page = json.loads(content)
        for line in page["items"]:
            if line["location_code"] in wanted:
                found[line["location_code"]] = (line["sku_count"], line["total_quantity"])
        cursor = page.get("next_cursor")
        path = f"/reports/locations?limit=100&cursor={cursor}" if cursor else None
    return found


def seconds_until_reported(stack: Stack, expected: Summaries, imported: float) -> float:
    """From `imported` (the import's end) until the reports equal `expected`."""
    client = Client(stack)
    try:
        while (waited := time.perf_counter() - imported) < REPORTS_TIMEOUT_S:
            if reported_locations(client, expected) == expected:
                return waited
            time.sleep(POLL_SECONDS)
    finally:
        client.close()
    raise RuntimeError(f"reports not current {REPORTS_TIMEOUT_S:g} s after the import")


@contextmanager
def journals_in(directory: Path) -> Iterator[None]:
    """The CLI's import journals in a scratch folder, not the user's state directory."""
    previous = os.environ.get("WAREHOUSE_STATE_DIR")
    os.environ["WAREHOUSE_STATE_DIR"] = str(directory)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["WAREHOUSE_STATE_DIR"]
        else:
            os.environ["WAREHOUSE_STATE_DIR"] = previous


def import_rate(stack: Stack, path: Path, *options: str) -> dict[str, Any]:
    from warehouse_cli.app import run

    out, err = io.StringIO(), io.StringIO()
    env = {"WAREHOUSE_URL": f"http://127.0.0.1:{stack.port}", "WAREHOUSE_TOKEN": stack.token}
    code = run(["import", str(path), "--json", *options], env=env, stdout=out, stderr=err)
    summary: dict[str, Any] = json.loads(out.getvalue() or "{}")
    if code != 0 or summary.get("applied") != summary.get("file_lines"):
        raise RuntimeError(f"import of {path.name} failed ({code}): {err.getvalue()[-2000:]}")
    return {
        "lines": summary["lines"],
        "options": " ".join(options) or "defaults",
        "seconds": summary["seconds"],
        "lines_per_second": summary["lines_per_second"],
    }


def measure(stack: Stack, progress: Callable[[str], None]) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-import-") as scratch,
        journals_in(Path(scratch) / "state"),
    ):
        folder = Path(scratch)
        progress(f"bulk import: {BASELINE_LINES} lines one per request (baseline)")
        baseline = import_rate(stack, delivery(folder, BASELINE_LINES).path, "--batch-size", "1")
        progress(f"bulk import: {BULK_LINES} lines in batches")
        bulk_file = delivery(folder, BULK_LINES)
        bulk = import_rate(stack, bulk_file.path)
        current_s = seconds_until_reported(stack, bulk_file.locations, time.perf_counter())
    return {
        "workload": f"warehouse import, {BULK_LINES} restock lines (one record each)",
        "baseline": baseline,
        "bulk": bulk,
        "ratio": round(bulk["lines_per_second"] / baseline["lines_per_second"], 1),
        "target_lines_per_second": TARGET_LINES_PER_SECOND,
        "reports_current_s": round(current_s, 2),
        "target_reports_current_s": TARGET_REPORTS_CURRENT_S,
    }


def main() -> int:
    def progress(message: str) -> None:
        sys.stderr.write(f"[bench] {message}\n")

    with running_stack("wh_bench-" + os.urandom(16).hex()) as stack:
        result = measure(stack, progress)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
