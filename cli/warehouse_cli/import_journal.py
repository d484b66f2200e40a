"""What a re-run of an import needs to know of the runs before it, which the API cannot tell it:
the lines each batch went without (the API refused them), and the batch size (another size
plans other batches, under other keys).

A batch the API refused for one line is sent again without it, under the same key, and the
API keeps that second body under the key. A re-run must send that same body to get the stored
answer (the full batch would be 422 `idempotency_key_reused`), and then tries the left-out
lines again as a batch of their own. The journal says which body: one small JSON file per
import (API URL, token and file content) in the state directory, written before the reduced
batch is sent, so a crash cannot lose it. Without it (deleted, another machine) nothing is ever
applied twice: the API refuses the full batch, and the CLI reports its lines.
"""

import hashlib
import json
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

STATE_DIR_VARIABLE = "WAREHOUSE_STATE_DIR"
KEEP_SECONDS = 2 * 24 * 3600  # the API keeps a key's answer 25 h; a journal is moot after it


class BatchSizeChanged(Exception):
    """A re-run with another batch size would plan other batches: lines applied twice."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"an earlier run of this import used --batch-size {size}: re-run it with that "
            "size (another one plans other batches, under other keys), or import the file as "
            "a new import with --salt"
        )
        self.size = size


def state_dir(env: Mapping[str, str]) -> Path:
    """`$WAREHOUSE_STATE_DIR`, else `$XDG_STATE_HOME/warehouse`, else
    `~/.local/state/warehouse`."""
    if env.get(STATE_DIR_VARIABLE):
        return Path(env[STATE_DIR_VARIABLE])
    base = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local/state")
    return Path(base) / "warehouse"


def import_identity(api_identity: str, digest: str) -> str:
    """Keys belong to their token and their API (`ApiClient.identity`): another of either is
    another import."""
    return hashlib.sha256(f"{api_identity}\n{digest}".encode()).hexdigest()[:32]


@dataclass
class Journal:
    """Thread-safe; `path` None keeps it in memory only (no state directory could be used)."""

    path: Path | None
    batch_size: int
    left_out: dict[str, list[int]] = field(default_factory=dict)
    problem: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, directory: Path, identity: str, batch_size: int) -> "Journal":
        """The import's journal, created (with its batch size) when new."""
        path = directory / "imports" / f"{identity}.json"
        try:
            stored = json.loads(path.read_text())
        except FileNotFoundError:
            journal = cls(path, batch_size)
            journal._forget_old(path.parent)
            journal._save()
            return journal
        except (OSError, ValueError) as error:
            return cls(None, batch_size, problem=f"cannot read {path}: {error}")
        if stored.get("batch_size") != batch_size:
            raise BatchSizeChanged(int(stored["batch_size"]))
        return cls(
            path, batch_size, {key: list(lines) for key, lines in stored["left_out"].items()}
        )

    def left_out_of(self, key: str) -> list[int]:
        with self._lock:
            return list(self.left_out.get(key, []))

    def leave_out(self, key: str, line: int) -> None:
        """Before the batch is sent without `line`."""
        with self._lock:
            self.left_out.setdefault(key, []).append(line)
            self._save()

    def forget(self, key: str) -> None:
        """Every line of the batch was refused: nothing is stored under its key."""
        with self._lock:
            if self.left_out.pop(key, None) is not None:
                self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        document = {"batch_size": self.batch_size, "left_out": self.left_out}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            scratch = self.path.with_suffix(".tmp")
            with scratch.open("w") as handle:
                json.dump(document, handle)
                handle.flush()
                os.fsync(handle.fileno())
            scratch.replace(self.path)
        except OSError as error:
            self.problem = f"cannot write {self.path}: {error}"
            self.path = None

    @staticmethod
    def _forget_old(directory: Path) -> None:
        cutoff = time.time() - KEEP_SECONDS
        for old in directory.glob("*.json") if directory.is_dir() else []:
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink()
            except OSError:
                continue
