"""openapi.json, committed at the repository root, is the document the API serves: a fresh build
of it must be identical, byte for byte (`make openapi` rewrites it)."""

import json
from pathlib import Path

import pytest

from warehouse_devstack.openapi_file import OPENAPI_FILE, main, render
from warehouse_inventory.http.openapi import openapi_document


def test_the_committed_openapi_json_is_the_served_document() -> None:
    assert OPENAPI_FILE.exists(), "openapi.json is missing: run `make openapi`"
    committed = OPENAPI_FILE.read_text()
    assert json.loads(committed) == openapi_document(), "openapi.json is stale: run `make openapi`"
    assert committed == render(), "openapi.json is not formatted as `make openapi` writes it"


def test_check_mode_reports_a_stale_file_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n")
    monkeypatch.setattr("warehouse_devstack.openapi_file.OPENAPI_FILE", stale)
    assert main(["--check"]) == 1
    assert stale.read_text() == "{}\n"
    assert main([]) == 0
    assert stale.read_text() == render()
    assert main(["--check"]) == 0
