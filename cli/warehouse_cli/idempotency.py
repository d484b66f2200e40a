"""Idempotency-Keys for an import: the same file's same batch always gets the same key.

So a re-run after an interruption (Ctrl-C, a lost connection, a crash) sends every batch again
and the API applies each one at most once: batches it already applied answer as replays. The
key names the file's content, not its path, so an edited file is a new import, and the lines of
the batch as planned (batches.py), so a batch resent without a line the API refused keeps its
key: the API then refuses the whole batch under that key with another body (422
`idempotency_key_reused`) instead of ever applying its other lines twice.
"""

import hashlib
from collections.abc import Iterable

KEY_PREFIX = "imp"
BATCH_KEY_PREFIX = "imb"
LINES_DIGEST_CHARS = 16
DIGEST_CHARS = 40  # 160 bits of SHA-256: no two files share keys by accident
MAX_KEY_LENGTH = 64  # the contract's limit


def file_digest(content: bytes, salt: str = "") -> str:
    """SHA-256 of the file's bytes; a `salt` makes a deliberate second import of the same
    content a new one (otherwise it would only be replayed while the API keeps the keys)."""
    digest = hashlib.sha256(content)
    if salt:
        digest.update(b"\0" + salt.encode())
    return digest.hexdigest()


def idempotency_key(digest: str, line_number: int) -> str:
    """`imp-<digest>-<line>`, at most 64 visible ASCII characters."""
    key = f"{KEY_PREFIX}-{digest[:DIGEST_CHARS]}-{line_number}"
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"line number {line_number} too large for an Idempotency-Key")
    return key


def batch_key(digest: str, line_numbers: Iterable[int]) -> str:
    """`imb-<digest>-<hash of the line numbers>`: 61 visible ASCII characters."""
    lines = hashlib.sha256(",".join(map(str, line_numbers)).encode()).hexdigest()
    return f"{BATCH_KEY_PREFIX}-{digest[:DIGEST_CHARS]}-{lines[:LINES_DIGEST_CHARS]}"
