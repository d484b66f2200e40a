"""Idempotency-Keys for an import: the same file's same line always gets the same key.

So a re-run after an interruption (Ctrl-C, a lost connection, a crash) sends every line again
and the API applies each one at most once: lines it already applied answer as replays. The key
names the file's content, not its path, so an edited file is a new import.
"""

import hashlib

KEY_PREFIX = "imp"
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
