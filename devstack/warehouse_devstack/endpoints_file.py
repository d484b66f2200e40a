"""Where the running local stack serves: `make run` writes its endpoints to a small file at start
and removes it when it stops, so the commands that talk to the stack (`make rebuild-projections`,
`make redrive-audit`, `make invoke`) find it on its own ports instead of assuming the defaults.

The file is `.devstack/running.json` in the repository (WAREHOUSE_DEVSTACK_STATE names another,
as the tests do for the stacks they start). A file left by a stack that was killed names a
process that is gone, and counts as no stack.
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from warehouse_devstack.template import REPO_ROOT

STATE_VARIABLE = "WAREHOUSE_DEVSTACK_STATE"
DEFAULT_STATE_FILE = REPO_ROOT / ".devstack" / "running.json"


@dataclass(frozen=True)
class StackEndpoints:
    pid: int
    api_url: str
    dynamodb_url: str
    sqs_url: str


def state_file() -> Path:
    configured = os.environ.get(STATE_VARIABLE)
    return Path(configured) if configured else DEFAULT_STATE_FILE


@contextmanager
def published(endpoints: StackEndpoints) -> Iterator[Path]:
    """The file exists while the block runs; on the way out it goes, unless another stack
    started since and wrote its own."""
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(endpoints), indent=2) + "\n")
    try:
        yield path
    finally:
        if running_stack() == endpoints:
            path.unlink(missing_ok=True)


def running_stack() -> StackEndpoints | None:
    """The endpoints of the stack that is running, or None (no file, or its process is gone)."""
    try:
        endpoints = StackEndpoints(**json.loads(state_file().read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return endpoints if process_exists(endpoints.pid) else None


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
