"""`If-Match: "<version>"` for optimistic concurrency on adjust and item writes."""

from typing import Annotated

from fastapi import Header

from warehouse_inventory.domain.errors import ValidationFailed
from warehouse_inventory.domain.input_rules import MAX_VERSION

IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=40)]


def version_of(if_match: str | None) -> int | None:
    """`"3"`, `W/"3"` or `3` -> 3; anything else, including a number no version can reach
    (above 2^53 - 1, like `expected_version`), is a 422 naming the header."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_VERSION:
        raise ValidationFailed(
            'If-Match must be a version, e.g. "3".',
            [
                {
                    "field": "If-Match",
                    "message": f"expected a quoted version number from 1 to {MAX_VERSION}",
                }
            ],
        )
    return int(text)


def etag(version: int) -> str:
    return f'"{version}"'
