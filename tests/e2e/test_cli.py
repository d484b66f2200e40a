"""The `warehouse` CLI against the real local stack: an import, an interrupted one resumed, a
refused line applied by a re-run once its cause is fixed, a file with bad lines, and `--json`
output of the read commands.

The import runs in process (`warehouse_cli.app.run`) so `--stop-after` interrupts it at a
deterministic point; one test runs the installed console script as a subprocess. The two imports
come last: the audit trail they queue would slow the movements check. 200 lines over 20 stock
records keep about ten dependent lines per record (picks that need the restocks before them)
and more records than the import's 8 concurrent senders: what a longer file would prove.
"""

import io
import json
import random
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.local_stack import ADMIN_TOKEN
from warehouse_cli.app import run

LINES = 200
SKUS = 5
AUDIT_TIMEOUT_SECONDS = 60  # as test_audit_pipeline.py: generous for a loaded machine
HEADER = "sku,quantity,location_code,type,reference"
LOCATIONS = ["", "A-01", "B-02", "C-03"]  # "" = unassigned
Record = tuple[str, str | None]


@dataclass(frozen=True)
class MovementFile:
    path: Path
    skus: list[str]
    stock: dict[Record, int]  # what the file implies, computed here, not by the CLI
    lines_per_record: Counter[Record]


def movement_file(directory: Path, lines: int = LINES, seed: int = 9) -> MovementFile:
    """Restocks, picks (never more than on hand) and counts over SKUS x 4 locations, in a
    shuffled order; each record's stock is tracked as the file is written."""
    rng = random.Random(seed)
    prefix = "CLI" + uuid.uuid4().hex[:8].upper()
    skus = [f"{prefix}{n:02d}" for n in range(SKUS)]
    stock: dict[Record, int] = {}
    counts: Counter[Record] = Counter()
    rows = [HEADER]
    for number in range(2, lines + 2):
        sku, location = rng.choice(skus), rng.choice(LOCATIONS)
        record = (sku, location or None)
        on_hand, roll = stock.get(record), rng.random()
        if on_hand and roll < 0.3:
            kind, quantity, reference = "pick", rng.randint(1, on_hand), f"SO-{number}"
            stock[record] = on_hand - quantity
        elif roll < 0.4:
            kind, quantity, reference = "adjust", rng.randint(0, 100), ""
            stock[record] = quantity
        else:
            kind, quantity, reference = "restock", rng.randint(1, 500), f"PO-{number}"
            stock[record] = (on_hand or 0) + quantity
        counts[record] += 1
        rows.append(f"{sku},{quantity},{location},{kind},{reference}")
    path = directory / f"{prefix}.csv"
    path.write_text("\n".join(rows) + "\n")
    return MovementFile(path, skus, stock, counts)


def cli(base_url: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"WAREHOUSE_URL": base_url, "WAREHOUSE_TOKEN": ADMIN_TOKEN}
    code = run(list(argv), env=env, stdout=out, stderr=err, width=160)
    return code, out.getvalue(), err.getvalue()


def import_json(base_url: str, path: Path, *options: str) -> tuple[int, dict[str, Any]]:
    code, out, err = cli(base_url, "import", str(path), "--json", *options)
    assert out, err
    summary: dict[str, Any] = json.loads(out)
    return code, summary


def levels(client: httpx.Client, skus: list[str]) -> dict[Record, tuple[int, int]]:
    """(quantity, version) of every stock record of these SKUs, as the API reports them."""
    found: dict[Record, tuple[int, int]] = {}
    for sku in skus:
        response = client.get(f"/inventory/{sku}")
        if response.status_code == 404:
            continue
        assert response.status_code == 200, response.text
        for level in response.json()["levels"]:
            found[(sku, level["location_code"])] = (level["quantity"], level["version"])
    return found


def assert_applied_exactly_once(client: httpx.Client, moves: MovementFile) -> None:
    """Stock equals what the file implies, and each record changed once per line: `version`
    is +1 on every change, so a line applied twice (or not at all) shows."""
    found = levels(client, moves.skus)
    assert {record: quantity for record, (quantity, _) in found.items()} == moves.stock
    assert {record: version for record, (_, version) in found.items()} == dict(
        moves.lines_per_record
    )


def test_a_file_with_bad_lines_sends_nothing_and_lists_them_all(
    base_url: str, client: httpx.Client, tmp_path: Path
) -> None:
    prefix = "BAD" + uuid.uuid4().hex[:8].upper()
    rows = [
        HEADER,
        f"{prefix}1,5,A-01,restock,PO-1",  # 2: valid
        f"{prefix}1,0,A-01,pick,",  # 3: quantity 0
        f"{prefix.lower()}2,5,,restock,",  # 4: lowercase sku
        f"{prefix}3,5,A-01,transfer,",  # 5: a transfer takes from_location and to_location
        f"{prefix}4,5,A_01,restock,",  # 6: bad location
        f"{prefix}5,5,,restock," + "x" * 101,  # 7: reference too long
        f"{prefix}6,1000001,,restock,",  # 8: above the contract's maximum
        f"{prefix}7,3,,adjust,",  # 9: valid
    ]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n")
    code, out, err = cli(base_url, "import", str(path))
    assert code == 2
    assert out == ""
    listed = sorted(int(line.split(":")[1]) for line in err.splitlines() if "bad.csv:" in line)
    assert listed == [3, 4, 5, 6, 7, 8]
    assert "6 invalid line(s)" in err
    assert levels(client, [f"{prefix}{n}" for n in range(1, 8)]) == {}  # not even line 2 or 9


def test_read_commands_print_one_json_document(base_url: str, client: httpx.Client) -> None:
    sku = "JSN" + uuid.uuid4().hex[:8].upper()
    for quantity, location in [(5, "A-01"), (7, None)]:
        body = {"sku": sku, "quantity": quantity} | (
            {"location_code": location} if location else {}
        )
        assert client.post("/inventory/restock", json=body).status_code == 201

    code, out, _ = cli(base_url, "stock", sku, "--json")
    stock = json.loads(out)
    assert (code, stock["sku"], stock["total_quantity"]) == (0, sku, 12)

    movements = wait_for_movements(base_url, sku, count=2)
    assert sorted(item["delta"] for item in movements["items"]) == [5, 7]
    assert movements["next_cursor"] is None

    for report, keys in [
        ("low-stock", {"sku", "name", "total_quantity", "reorder_point"}),
        ("locations", {"location_code", "sku_count", "total_quantity"}),
    ]:
        code, out, err = cli(base_url, "report", report, "--json")
        if code == 1:  # a server without the report yet: explained, not a crash
            assert "does not serve" in err and out == ""
            continue
        assert code == 0, err
        items = json.loads(out)["items"]
        assert all(set(item) >= keys for item in items)


def wait_for_movements(base_url: str, sku: str, count: int) -> dict[str, Any]:
    """The audit trail lags the write (stream, queue, consumer): seconds, more under load."""
    deadline = time.monotonic() + AUDIT_TIMEOUT_SECONDS
    while True:
        code, out, err = cli(base_url, "movements", "--sku", sku, "--json")
        assert code == 0, err
        document: dict[str, Any] = json.loads(out)
        if len(document["items"]) >= count or time.monotonic() > deadline:
            assert len(document["items"]) == count, document
            return document
        time.sleep(0.5)


def test_the_console_script_reads_its_configuration_from_the_environment(
    base_url: str, client: httpx.Client
) -> None:
    sku = "EXE" + uuid.uuid4().hex[:8].upper()
    assert client.post("/inventory/restock", json={"sku": sku, "quantity": 4}).status_code == 201
    env = {"WAREHOUSE_URL": base_url, "WAREHOUSE_TOKEN": ADMIN_TOKEN, "PATH": "/usr/bin:/bin"}
    table = warehouse(env, "stock", sku)
    assert table.returncode == 0, table.stderr
    assert f"{sku}: 4 on hand" in table.stdout and "(unassigned)" in table.stdout

    missing = warehouse(env, "stock", sku + "X")
    assert missing.returncode == 1
    assert "not_found" in missing.stderr and missing.stdout == ""

    refused = warehouse(env, "--token", "wh_not-a-token", "stock", sku)
    assert refused.returncode == 1
    assert "unauthorized" in refused.stderr


def warehouse(env: dict[str, str], *argv: str) -> "subprocess.CompletedProcess[str]":
    """The installed `warehouse` script, next to this interpreter in the virtualenv."""
    script = Path(sys.executable).parent / "warehouse"
    return subprocess.run(
        [script, *argv], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_a_refused_line_is_reported_and_a_rerun_after_the_fix_applies_it_once(
    base_url: str, client: httpx.Client, tmp_path: Path
) -> None:
    sku = "FIX" + uuid.uuid4().hex[:8].upper()
    rows = [
        "sku,quantity,location_code,type,reference,from_location,to_location,reason",
        f"{sku},10,A-01,restock,PO-1,,,",  # 2
        f"{sku},2,B-02,restock,PO-1,,,",  # 3
        f"{sku},4,,transfer,MOVE-1,A-01,C-03,",  # 4: after line 2
        f"{sku},5,B-02,pick,SO-1,,,",  # 5: only 2 on hand
        f"{sku},7,D-04,adjust,,,,found",  # 6
    ]
    path = tmp_path / "wave.csv"
    path.write_text("\n".join(rows) + "\n")

    code, first = import_json(base_url, path)
    assert code == 1, first
    assert [item["line"] for item in first["rejected"]] == [5]
    assert "insufficient_stock" in first["rejected"][0]["reason"]
    assert (first["applied"], first["lines"]) == (4, 5)
    restocked = {"sku": sku, "quantity": 10, "location_code": "B-02"}
    assert client.post("/inventory/restock", json=restocked).status_code == 201
    code, second = import_json(base_url, path)

    assert code == 0, second
    assert (second["replayed"], second["applied"], second["rejected"]) == (4, 1, [])
    assert levels(client, [sku]) == {
        (sku, "A-01"): (6, 2),
        (sku, "B-02"): (7, 3),  # the file's restock, the fix, the pick: once each
        (sku, "C-03"): (4, 1),
        (sku, "D-04"): (7, 1),
    }


def test_an_import_applies_every_line(
    base_url: str, client: httpx.Client, tmp_path: Path, record_property: Any
) -> None:
    moves = movement_file(tmp_path)
    code, summary = import_json(base_url, moves.path, "--concurrency", "8")
    assert code == 0, summary
    assert (summary["lines"], summary["applied"], summary["replayed"]) == (LINES, LINES, 0)
    assert (summary["rejected"], summary["not_sent"]) == ([], 0)
    assert_applied_exactly_once(client, moves)
    record_property("import_lines_per_second", summary["lines_per_second"])


def test_an_interrupted_import_rerun_applies_each_line_once(
    base_url: str, client: httpx.Client, tmp_path: Path
) -> None:
    moves = movement_file(tmp_path)
    code, first = import_json(base_url, moves.path, "--stop-after", str(LINES // 2))
    assert code == 130, first
    assert LINES // 2 <= first["applied"] < LINES
    assert first["applied"] + first["not_sent"] == LINES
    halfway = {record: quantity for record, (quantity, _) in levels(client, moves.skus).items()}
    assert halfway != moves.stock  # really stopped half-way

    code, second = import_json(base_url, moves.path)
    assert code == 0, second
    assert second["replayed"] == first["applied"]
    assert second["applied"] == first["not_sent"]
    assert second["rejected"] == []
    assert_applied_exactly_once(client, moves)


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import journals of each test in its own folder."""
    monkeypatch.setenv("WAREHOUSE_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours HTTP(S)_PROXY; the local stack is reached directly."""
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"]:
        monkeypatch.delenv(name, raising=False)
