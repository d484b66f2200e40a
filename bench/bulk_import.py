"""`warehouse import` on the local stack: a 1,000-line restock file in batches (the CLI's
default), against the same kind of file sent one line per request (`--batch-size 1`, the
single-line rate) as the baseline, in the same run on the same stack.

The files are a delivery: each line restocks its own stock record (SKUs x locations, shuffled),
as a delivery note lists each SKU and place once. The CLI runs in this process
(`warehouse_cli.app.run`, as the console script does) with its default concurrency; its JSON
summary gives the rate (lines processed / seconds, the summary's own figure).

    python -m bench.bulk_import    # only this part of `make bench`, on a stack of its own
"""

import io
import json
import os
import random
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.local_stack import Stack, running_stack

BULK_LINES = 1_000
BASELINE_LINES = 300  # one request per line: a smaller file measures the same rate sooner
LOCATIONS = ["A-01", "A-02", "B-01", "B-02", "C-01"]
TARGET_LINES_PER_SECOND = 300.0


def delivery(directory: Path, lines: int) -> Path:
    """`lines` restocks, each of its own (SKU, location), in a shuffled order."""
    prefix = "BULK" + uuid.uuid4().hex[:8].upper()
    skus = [f"{prefix}{n:04d}" for n in range(-(-lines // len(LOCATIONS)))]
    records = [(sku, location) for sku in skus for location in LOCATIONS][:lines]
    random.Random(lines).shuffle(records)
    rows = ["sku,quantity,location_code,type,reference"]
    rows += [f"{sku},{n % 50 + 1},{at},restock,PO-{n}" for n, (sku, at) in enumerate(records)]
    path = directory / f"{prefix}.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


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
        baseline = import_rate(stack, delivery(folder, BASELINE_LINES), "--batch-size", "1")
        progress(f"bulk import: {BULK_LINES} lines in batches")
        bulk = import_rate(stack, delivery(folder, BULK_LINES))
    return {
        "workload": f"warehouse import, {BULK_LINES} restock lines (one record each)",
        "baseline": baseline,
        "bulk": bulk,
        "ratio": round(bulk["lines_per_second"] / baseline["lines_per_second"], 1),
        "target_lines_per_second": TARGET_LINES_PER_SECOND,
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
