"""`If-Match: "<version>"` for optimistic concurrency on adjust and item writes."""

from typing import Annotated

from fastapi import Header

from warehouse_inventory.errors import ValidationFailed

IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=40)]


def version_of(if_match: str | None) -> int | None:
    """`"3"`, `W/"3"` or `3` -> 3; anything else is a 422 naming the header."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or int(text) < 1:
        raise ValidationFailed(
            'If-Match must be a version, e.g. "3".',
            [{"field": "If-Match", "message": "expected a quoted positive version number"}],
        )
    return int(text)


def etag(version: int) -> str:
    return f'"{version}"'
