"""What input the contract accepts: identifier patterns, numeric bounds, and the characters free
text may not hold. The request models are built from these, and the CLI checks an import file
against the same values, so both refuse the same input.

Free text refuses control characters (C0, DEL, C1), the 66 Unicode noncharacters and lone
surrogates: SQS refuses U+FFFE/U+FFFF and most C0 controls in a message body, UTF-8 (DynamoDB)
cannot hold a lone surrogate (JSON can spell one: "\\ud800"), and none of them is text a person
means. Text of several lines may also hold tab, CR and LF.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Identifier:
    """A code made of a few characters: its pattern (anchored, as JSON Schema states it) and
    its length bounds."""

    pattern: str
    min_length: int
    max_length: int

    def matches(self, text: str) -> bool:
        return self.min_length <= len(text) <= self.max_length and bool(
            re.fullmatch(self.pattern, text)
        )


SKU = Identifier(pattern=r"^[A-Z0-9]+$", min_length=3, max_length=20)
LOCATION_CODE = Identifier(pattern=r"^[A-Z0-9-]+$", min_length=1, max_length=10)
IDEMPOTENCY_KEY = Identifier(pattern=r"^[\x21-\x7e]+$", min_length=1, max_length=64)
"""Visible ASCII, so the key survives any HTTP client and log unchanged."""

MAX_QUANTITY = 1_000_000
"""Per movement (restock, pick, transfer)."""
MAX_COUNTED_QUANTITY = 1_000_000_000
"""An adjust's counted quantity, and a reorder point."""
MAX_REFERENCE_LENGTH = 100
MAX_VERSION = 2**53 - 1
"""The largest version a client may send: exact in JavaScript, far inside DynamoDB's 38 digits."""
MAX_PAGE_LIMIT = 100
MAX_BATCH_ENTRIES = 100
MAX_BATCH_RECORDS = 100
"""A batch of movements is one TransactWriteItems, one action per stock record it touches, and
DynamoDB takes at most 100 actions in one: a transfer touches two records."""

_UNSTORABLE = "\\ud800-\\udfff\\ufdd0-\\ufdef" + "".join(
    f"\\U{plane + 0xFFFE:08x}\\U{plane + 0xFFFF:08x}" for plane in range(0, 0x110000, 0x10000)
)
_REFUSED_IN_ONE_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_UNSTORABLE}]")
_REFUSED_IN_LINES = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_UNSTORABLE}]")


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character `text` may not hold, or None."""
    found = (_REFUSED_IN_LINES if multiline else _REFUSED_IN_ONE_LINE).search(text)
    return found[0] if found else None
