"""The sample events of events/: one per function, replayed by the tests."""

import json
from pathlib import Path
from typing import Any

from warehouse_devstack.template import REPO_ROOT, FunctionSpec, Template

EVENTS_DIR = REPO_ROOT / "events"


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text())
    return event


def event_files() -> list[Path]:
    return sorted(EVENTS_DIR.glob("*.json"))


def function_for(template: Template, event_name: str) -> FunctionSpec:
    """events/<name>.json belongs to the function whose code is functions/<name>/."""
    stem = event_name.removesuffix(".json")
    (spec,) = [spec for spec in template.functions() if spec.code_dir.name == stem]
    return spec
