"""A warehouse's day with the `warehouse` CLI against the real local stack: one movement per
command (a re-run with the printed Idempotency-Key applies nothing twice), items, tokens and
whoami, movements filtered and paged, the low-stock report after setting a reorder point, CSV,
global options anywhere, `--version`, and tables that fit 80 columns."""

import csv
import io
import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.local_stack import ADMIN_TOKEN
from warehouse_cli.app import run

SETTLE_SECONDS = 60  # the audit trail and the projections follow the write (as test_cli.py)


def cli(base_url: str, *argv: str, token: str = ADMIN_TOKEN) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"WAREHOUSE_URL": base_url, "WAREHOUSE_TOKEN": token}
    code = run(list(argv), env=env, stdout=out, stderr=err, width=160)
    return code, out.getvalue(), err.getvalue()


def cli_json(base_url: str, *argv: str, token: str = ADMIN_TOKEN) -> Any:
    code, out, err = cli(base_url, *argv, "--json", token=token)
    assert code == 0, err
    return json.loads(out)


def new_sku(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:10].upper()


def eventually(base_url: str, argv: list[str], done: Any) -> Any:
    """The CLI's JSON once `done(document)` holds: the audit trail and the reports lag the
    write by seconds (stream, queue, consumer or projector)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        document = cli_json(base_url, *argv)
        if done(document) or time.monotonic() > deadline:
            assert done(document), document
            return document
        time.sleep(0.5)


def test_one_movement_per_command(base_url: str, client: httpx.Client) -> None:
    sku = new_sku("DAY")
    restocked = cli_json(
        base_url, "restock", sku, "40", "--location", "A-01", "--reference", "PO-1"
    )
    assert (restocked["quantity"], restocked["location_code"], restocked["version"]) == (
        40,
        "A-01",
        1,
    )
    picked = cli_json(base_url, "pick", sku, "15", "--location", "A-01")
    assert picked["quantity"] == 25
    cli_json(base_url, "restock", sku, "12")
    moved = cli_json(base_url, "transfer", sku, "5", "--to", "B-02")  # from unassigned stock
    assert (moved["source"]["location_code"], moved["source"]["quantity"]) == (None, 7)
    assert (moved["destination"]["location_code"], moved["destination"]["quantity"]) == ("B-02", 5)
    counted = cli_json(base_url, "adjust", sku, "24", "--location", "A-01", "--reason", "damaged")
    assert (counted["quantity"], counted["delta"]) == (24, -1)

    stock = client.get(f"/inventory/{sku}").json()
    assert {level["location_code"]: level["quantity"] for level in stock["levels"]} == {
        None: 7,
        "A-01": 24,
        "B-02": 5,
    }
    code, _, err = cli(base_url, "pick", sku, "500", "--location", "A-01")
    assert code == 1 and "insufficient_stock" in err and "HTTP 409" in err


def test_a_re_run_with_the_printed_key_applies_nothing_twice(
    base_url: str, client: httpx.Client
) -> None:
    sku = new_sku("KEY")
    code, out, err = cli(base_url, "restock", sku, "9", "--csv")
    assert code == 0, err
    key = re.search(r"Idempotency-Key: (\S+)", err)
    assert key, err
    code, again, err = cli(base_url, "restock", sku, "9", "--csv", "--idempotency-key", key[1])
    assert code == 0 and "Replayed" in err
    assert again == out  # the first answer
    (level,) = client.get(f"/inventory/{sku}").json()["levels"]
    assert (level["quantity"], level["version"]) == (9, 1)


def test_items_get_put_list_delete(base_url: str) -> None:
    sku = new_sku("ITM")
    code, _, err = cli(base_url, "items", "put", sku, "--reorder-point", "5")
    assert code == 2 and "--name is needed" in err
    created = cli_json(base_url, "items", "put", sku, "--name", "Gear", "--unit", "box")
    assert (created["name"], created["unit"], created["version"]) == ("Gear", "box", 1)
    changed = cli_json(base_url, "items", "put", sku, "--reorder-point", "5")
    assert (changed["name"], changed["unit"], changed["reorder_point"]) == ("Gear", "box", 5)
    code, _, err = cli(base_url, "items", "put", sku, "--name", "Old", "--if-match", "1")
    assert code == 1 and "precondition_failed" in err
    assert cli_json(base_url, "items", "get", sku) == changed
    listed = cli_json(base_url, "items", "list", "--all")
    assert listed["next_cursor"] is None
    assert changed in listed["items"]

    cli_json(base_url, "restock", sku, "1")
    code, _, err = cli(base_url, "items", "delete", sku)
    assert code == 1 and "conflict" in err
    cli_json(base_url, "adjust", sku, "0", "--reason", "lost")
    assert cli_json(base_url, "items", "delete", sku) == {"sku": sku, "deleted": True}
    code, _, err = cli(base_url, "items", "get", sku)
    assert code == 1 and "not_found" in err


def test_tokens_create_list_revoke(base_url: str) -> None:
    name = "picker-" + uuid.uuid4().hex[:8]
    issued = cli_json(base_url, "tokens", "create", name, "--role", "operator")
    secret = issued["token"]
    assert secret.startswith("wh_")
    code, out, _ = cli(base_url, "tokens", "list", "--csv")
    assert code == 0 and secret not in out
    assert f"{issued['token_id']},{name},operator," in out

    sku = new_sku("TOK")
    assert cli(base_url, "restock", sku, "2", token=secret)[0] == 0  # an operator moves stock
    code, _, err = cli(base_url, "tokens", "create", "x", "--role", "viewer", token=secret)
    assert code == 1 and "forbidden" in err  # but manages no tokens
    cli_json(base_url, "tokens", "revoke", issued["token_id"])
    code, _, err = cli(base_url, "stock", sku, token=secret)
    assert code == 1 and "unauthorized" in err


def test_whoami_names_the_calling_token(base_url: str) -> None:
    name = "viewer-" + uuid.uuid4().hex[:8]
    issued = cli_json(base_url, "tokens", "create", name, "--role", "viewer")
    me = cli_json(base_url, "whoami", token=issued["token"])
    assert me == {"token_id": issued["token_id"], "name": name, "role": "viewer"}
    code, out, _ = cli(base_url, "whoami", token=issued["token"])
    assert code == 0 and issued["token_id"] in out and "viewer" in out


def five_movements(base_url: str) -> tuple[str, str, list[dict[str, Any]]]:
    """A new SKU's restock, three picks and a restock at A-01: its SKU, the first one's time
    and the five movements, newest first, once the audit trail has them."""
    sku = new_sku("MOV")
    started: str = cli_json(base_url, "restock", sku, "10")["updated_at"]
    for _ in range(3):
        cli_json(base_url, "pick", sku, "1")
    cli_json(base_url, "restock", sku, "10", "--location", "A-01")
    page = eventually(base_url, ["movements", "--sku", sku], lambda page: len(page["items"]) == 5)
    assert [m["type"] for m in page["items"]] == ["restock", "pick", "pick", "pick", "restock"]
    return sku, started, page["items"]


def test_movements_paged(base_url: str) -> None:
    sku, _, everything = five_movements(base_url)
    first = cli_json(base_url, "movements", "--sku", sku, "--limit", "2")
    assert first["next_cursor"] is not None
    rest = cli_json(base_url, "movements", "--sku", sku, "--cursor", first["next_cursor"])
    assert first["items"] + rest["items"] == everything
    code, out, _ = cli(base_url, "movements", "--sku", sku, "--all", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [row["movement_id"] for row in rows] == [m["movement_id"] for m in everything]
    at_a01 = cli_json(base_url, "movements", "--sku", sku, "--location", "A-01")
    assert [m["location_code"] for m in at_a01["items"]] == ["A-01"]


def test_movements_filtered_by_type_and_time(base_url: str) -> None:
    sku, started, _ = five_movements(base_url)
    picks = cli_json(base_url, "movements", "--sku", sku, "--type", "pick")
    assert [m["type"] for m in picks["items"]] == ["pick"] * 3
    since = cli_json(base_url, "movements", "--sku", sku, "--since", started)
    assert len(since["items"]) == 5  # `since` is inclusive
    until = cli_json(base_url, "movements", "--sku", sku, "--until", started)
    assert until["items"] == []  # `until` is not


def test_the_low_stock_report_after_setting_a_reorder_point(base_url: str) -> None:
    sku = new_sku("LOW")
    cli_json(base_url, "items", "put", sku, "--name", "Low widget", "--reorder-point", "10")
    cli_json(base_url, "restock", sku, "4", "--location", "C-03")
    expected = {"sku": sku, "name": "Low widget", "total_quantity": 4, "reorder_point": 10}
    eventually(base_url, ["report", "low-stock"], lambda report: expected in report["items"])
    code, out, _ = cli(base_url, "report", "low-stock", "--csv")
    assert code == 0 and f"{sku},Low widget,4,10" in out.splitlines()
    eventually(
        base_url,
        ["report", "locations"],
        lambda report: any(line["location_code"] == "C-03" for line in report["items"]),
    )


def warehouse(base_url: str, *argv: str, columns: int = 100) -> "subprocess.CompletedProcess[str]":
    """The installed `warehouse` script, next to this interpreter in the virtualenv."""
    env = {
        "WAREHOUSE_URL": base_url,
        "WAREHOUSE_TOKEN": ADMIN_TOKEN,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "COLUMNS": str(columns),
    }
    script = Path(sys.executable).parent / "warehouse"
    return subprocess.run(
        [script, *argv], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_the_console_script_takes_global_options_anywhere(base_url: str) -> None:
    sku = new_sku("GLO")
    assert cli(base_url, "restock", sku, "3")[0] == 0
    for argv in (["--json", "stock", sku], ["stock", "--json", sku], ["stock", sku, "--json"]):
        done = warehouse(base_url, *argv)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["total_quantity"] == 3
    version = warehouse(base_url, "--version")
    assert version.returncode == 0 and re.fullmatch(r"warehouse \S+\n", version.stdout)
    kinds = warehouse(base_url, "report")
    assert kinds.returncode == 0 and "low-stock" in kinds.stdout and "locations" in kinds.stdout


@pytest.mark.parametrize("columns", [80, 200])
def test_the_movements_table_fits_the_terminal(base_url: str, columns: int) -> None:
    sku = new_sku("WID")
    cli_json(base_url, "restock", sku, "3", "--reference", "PO-LONG-REFERENCE-17")
    eventually(base_url, ["movements", "--sku", sku], lambda page: len(page["items"]) == 1)
    table = warehouse(base_url, "movements", "--limit", "20", columns=columns)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert any(sku in line and "restock" in line for line in lines)
    assert ("PO-LONG-REFERENCE-17" in table.stdout) == (columns == 200)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours HTTP(S)_PROXY; the local stack is reached directly."""
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"]:
        monkeypatch.delenv(name, raising=False)
