"""Retries: 429/503 and lost connections are retried with bounded, jittered exponential
backoff that honours Retry-After; anything that could apply a movement twice is not."""

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from warehouse_cli.api import ApiClient, ApiError, ApiUnreachable
from warehouse_cli.retry import RetryPolicy, parse_retry_after

Handler = Callable[[httpx.Request], httpx.Response]
OK = httpx.Response(200, json={"status": "ok"})


def highest(low: float, high: float) -> float:
    return high


def lowest(low: float, high: float) -> float:
    return low


def answers(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler giving these answers in turn (an exception is raised, as a transport would)."""
    queue = list(responses)
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handle, seen


def client(handler: Handler, sleeps: list[float], attempts: int = 5) -> ApiClient:
    return ApiClient(
        "http://api.test",
        "tok",
        policy=RetryPolicy(attempts=attempts, base_delay=0.25, max_delay=8.0),
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        jitter=highest,
    )


def throttled(status: int, retry_after: str | None = None) -> httpx.Response:
    headers = {"retry-after": retry_after} if retry_after else {}
    code = "rate_limited" if status == 429 else "service_unavailable"
    body = {"error": {"code": code, "message": "slow down", "details": None}, "request_id": "r"}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_is_retried_with_growing_delays(status: int) -> None:
    handler, seen = answers(throttled(status), throttled(status), throttled(status), OK)
    sleeps: list[float] = []
    assert client(handler, sleeps).get_json("/health") == {"status": "ok"}
    assert len(seen) == 4
    assert sleeps == [0.25, 0.5, 1.0]


def test_retry_after_is_honoured() -> None:
    handler, _ = answers(throttled(503, "3"), OK)
    sleeps: list[float] = []
    client(handler, sleeps).get_json("/health")
    assert sleeps == [3.0]


def test_retries_are_bounded_and_the_last_error_is_reported() -> None:
    handler, seen = answers(*[throttled(503, "1")] * 3)
    sleeps: list[float] = []
    with pytest.raises(ApiError) as raised:
        client(handler, sleeps, attempts=3).get_json("/health")
    assert (raised.value.status, raised.value.code) == (503, "service_unavailable")
    assert len(seen) == 3
    assert len(sleeps) == 2


def test_connection_errors_are_retried_then_reported_as_unreachable() -> None:
    refused = httpx.ConnectError("connection refused")
    handler, seen = answers(refused, refused, OK)
    sleeps: list[float] = []
    assert client(handler, sleeps).get_json("/health") == {"status": "ok"}
    handler, seen = answers(*[refused] * 5)
    with pytest.raises(ApiUnreachable, match="connection refused"):
        client(handler, sleeps).get_json("/health")
    assert len(seen) == 5


def test_a_movement_with_an_idempotency_key_is_retried_after_a_lost_answer() -> None:
    handler, seen = answers(httpx.ReadTimeout("no answer"), httpx.Response(201, json={}))
    posted = client(handler, []).post("/inventory/restock", {"sku": "ABC"}, "imp-1-2")
    assert posted.status == 201
    assert [request.headers["idempotency-key"] for request in seen] == ["imp-1-2", "imp-1-2"]


def test_a_movement_without_a_key_is_not_repeated_after_a_lost_answer() -> None:
    """It may have been applied: sending it again could restock twice."""
    handler, seen = answers(httpx.ReadTimeout("no answer"), httpx.Response(201, json={}))
    with pytest.raises(ApiUnreachable):
        client(handler, []).post("/inventory/restock", {"sku": "ABC"})
    assert len(seen) == 1


def test_a_movement_still_running_under_its_key_is_retried() -> None:
    in_progress = httpx.Response(
        409,
        json={"error": {"code": "request_in_progress", "message": "m", "details": None}},
    )
    handler, seen = answers(in_progress, in_progress, httpx.Response(201, json={}))
    sleeps: list[float] = []
    assert client(handler, sleeps).post("/inventory/pick", {}, "k").status == 201
    assert len(seen) == 3
    assert sleeps == [2.0, 2.0]  # the first attempt holds the key: no point retrying at once


def test_default_retries_outlast_a_request_in_progress() -> None:
    """The key is held until the first attempt ends: up to the function's 10 s timeout."""
    policy = RetryPolicy()
    waits = [policy.delay(retry, policy.in_progress_wait, lowest) for retry in range(5)]
    assert sum(waits) >= 10.0


def test_insufficient_stock_is_an_answer_not_a_retry() -> None:
    refused = httpx.Response(
        409,
        json={
            "error": {
                "code": "insufficient_stock",
                "message": "Only 1 on hand, 5 requested.",
                "details": [{"available": 1, "requested": 5}],
            },
            "request_id": "r-9",
        },
    )
    handler, seen = answers(refused)
    with pytest.raises(ApiError) as raised:
        client(handler, []).post("/inventory/pick", {}, "k")
    assert len(seen) == 1
    assert raised.value.describe() == "insufficient_stock: Only 1 on hand, 5 requested."
    assert raised.value.request_id == "r-9"


def test_backoff_is_capped_and_jittered_within_bounds() -> None:
    policy = RetryPolicy(base_delay=0.25, max_delay=8.0)
    assert [policy.backoff(retry, highest) for retry in range(8)] == [
        0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0,
    ]  # fmt: skip
    assert [policy.backoff(retry, lowest) for retry in range(3)] == [0.125, 0.25, 0.5]


def test_a_huge_retry_after_is_capped() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    assert policy.delay(0, 3600.0, highest) == 60.0


def test_retry_after_takes_seconds_or_an_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_a_non_contract_error_body_still_gives_a_code_and_message() -> None:
    handler, _ = answers(httpx.Response(502, text="Bad Gateway"))
    with pytest.raises(ApiError) as raised:
        client(handler, [], attempts=1).get_json("/health")
    assert (raised.value.code, raised.value.message) == ("http_502", "Bad Gateway")


def test_requests_carry_the_bearer_token() -> None:
    handler, seen = answers(OK)
    client(handler, []).get_json("/health")
    assert seen[0].headers["authorization"] == "Bearer tok"
