"""Cursors: a round trip works; anything edited, foreign or expired is refused."""

import base64
import json

import pytest

from warehouse_inventory.domain.errors import InvalidCursor
from warehouse_inventory.services.paging import CursorCodec

SECRET = b"0123456789abcdef0123456789abcdef"
KEY = {"pk": {"S": "SKU#ABC"}, "sk": {"S": "STOCK#A-1"}}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_round_trip_returns_the_key() -> None:
    codec = CursorCodec(SECRET, ttl_seconds=60)
    assert codec.decode(codec.encode(KEY, "q"), "q") == KEY


def test_cursor_is_opaque_url_safe_text() -> None:
    cursor = CursorCodec(SECRET, ttl_seconds=60).encode(KEY, "q")
    assert "SKU#ABC" not in cursor
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_edited_payload_is_refused() -> None:
    codec = CursorCodec(SECRET, ttl_seconds=60)
    payload, mac = codec.encode(KEY, "q").split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["k"]["pk"]["S"] = "SKU#OTHER"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidCursor):
        codec.decode(f"{forged}.{mac}", "q")


def test_cursor_signed_with_another_secret_is_refused() -> None:
    foreign = CursorCodec(b"another-secret-of-32-bytes-long!", ttl_seconds=60).encode(KEY, "q")
    with pytest.raises(InvalidCursor):
        CursorCodec(SECRET, ttl_seconds=60).decode(foreign, "q")


def test_cursor_of_another_query_is_refused() -> None:
    codec = CursorCodec(SECRET, ttl_seconds=60)
    with pytest.raises(InvalidCursor, match="another query"):
        codec.decode(codec.encode(KEY, "inventory?location_code=A"), "inventory?location_code=B")


def test_expired_cursor_is_refused() -> None:
    clock = Clock(1_000.0)
    codec = CursorCodec(SECRET, ttl_seconds=60, clock=clock)
    cursor = codec.encode(KEY, "q")
    clock.now += 61
    with pytest.raises(InvalidCursor, match="expired"):
        codec.decode(cursor, "q")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "é.é", "!!!.???", "eyJ9.AAAA"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidCursor):
        CursorCodec(SECRET, ttl_seconds=60).decode(garbage, "q")


def test_short_secret_is_rejected_at_start() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        CursorCodec(b"short", ttl_seconds=60)
