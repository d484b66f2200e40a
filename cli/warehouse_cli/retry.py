"""When and how long to wait before trying a request again.

Throttling (429, 503) and lost connections are transient: a client that retries with growing,
jittered delays rides them out without hammering the API in lockstep with every other client.
Retries are bounded so a dead endpoint fails the command instead of hanging it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

Jitter = Callable[[float, float], float]
"""`random.uniform`'s shape: a number between the two bounds."""

ALWAYS_RETRIED = frozenset({429, 503})
"""Throttled: the API did nothing, any request may be sent again."""
RETRIED_WHEN_IDEMPOTENT = frozenset({502, 504})
"""Gateway errors: the request may have run, so only requests safe to repeat are retried."""
NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures that happen before the request leaves: always safe to retry."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter; `attempts` counts the first try."""

    attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    in_progress_wait: float = 2.0
    """A 409 `request_in_progress` holds its key until the first attempt ends (at worst the
    function's 10 s timeout): retrying sooner than this only burns attempts."""

    def backoff(self, retry: int, jitter: Jitter) -> float:
        """Delay before retry number `retry` (0-based): "equal jitter", half fixed, half random,
        so clients spread out yet each one still backs off."""
        ceiling = min(self.max_delay, self.base_delay * 2**retry)
        return jitter(ceiling / 2, ceiling)

    def delay(self, retry: int, retry_after: float | None, jitter: Jitter) -> float:
        """The backoff, but never less than the server's `Retry-After` (capped, to stay bounded)."""
        backoff = self.backoff(retry, jitter)
        if retry_after is None:
            return backoff
        return max(backoff, min(retry_after, self.max_retry_after))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds, from either of its forms (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def server_wait(response: httpx.Response, policy: RetryPolicy) -> float | None:
    """How long the server asks us to wait: `Retry-After`, or the in-progress hold."""
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if retry_after is None and error_code(response) == "request_in_progress":
        return policy.in_progress_wait
    return retry_after


def error_code(response: httpx.Response) -> str | None:
    """The contract error code of a response, if its body has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


def should_retry_response(response: httpx.Response, idempotent: bool) -> bool:
    """Throttling always; gateway errors and `request_in_progress` (the first attempt with the
    same Idempotency-Key is still running) only when repeating the request is safe."""
    if response.status_code in ALWAYS_RETRIED:
        return True
    if not idempotent:
        return False
    if response.status_code in RETRIED_WHEN_IDEMPOTENT:
        return True
    return response.status_code == 409 and error_code(response) == "request_in_progress"


def should_retry_error(error: httpx.TransportError, idempotent: bool) -> bool:
    """A connection that failed before sending is always retried; one that failed mid-request
    (timeout, reset) only if the request may be repeated."""
    return idempotent or isinstance(error, NOTHING_SENT)
