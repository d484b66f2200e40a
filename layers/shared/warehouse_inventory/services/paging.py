"""Paging for every listing: the repository's page key goes out as an opaque, tamper-evident
cursor and comes back as the next page's start (`CursorCodec.page`).

Written by hand because no well-kept library does exactly this: the cursor binds DynamoDB's
LastEvaluatedKey to the query it belongs to and an expiry, signed with HMAC-SHA256, so an edited,
foreign (other query) or expired cursor is refused instead of steering the Query.
"""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

from warehouse_inventory.domain.errors import InvalidCursor
from warehouse_inventory.domain.paging import Page, PageKey


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(
        self, secret: bytes, ttl_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the cursor secret must be at least 16 bytes")
        self._secret = secret
        self._ttl = ttl_seconds
        self._clock = clock

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()

    def encode(self, key: PageKey, scope: str) -> str:
        body = {"k": key, "s": scope, "e": int(self._clock()) + self._ttl}
        payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64encode(payload)}.{_b64encode(self._sign(payload))}"

    def decode(self, cursor: str, scope: str) -> PageKey:
        try:
            payload_text, mac_text = cursor.split(".")
            payload, mac = _b64decode(payload_text), _b64decode(mac_text)
        except ValueError as exc:
            raise InvalidCursor from exc
        if not hmac.compare_digest(mac, self._sign(payload)):
            raise InvalidCursor
        body = json.loads(payload)
        if body["s"] != scope:
            raise InvalidCursor("The cursor belongs to another query.")
        if body["e"] < self._clock():
            raise InvalidCursor("The cursor has expired; start from the first page.")
        key: PageKey = body["k"]
        return key

    def page[T](
        self,
        scope: str,
        cursor: str | None,
        fetch: Callable[[PageKey | None], Page[T, PageKey]],
    ) -> Page[T, str]:
        """The page `cursor` points at (the first without one), fetched from its start, with the
        cursor of the next. `scope` names the query: a cursor only works for its own."""
        start = self.decode(cursor, scope) if cursor else None
        page = fetch(start)
        next_cursor = self.encode(page.next, scope) if page.next else None
        return Page(items=page.items, next=next_cursor)
