"""The HTTP side: one httpx client with timeouts, bounded retries and the contract's errors.

Commands see two exceptions only: `ApiError` (the API answered with an error: its contract code
and message) and `ApiUnreachable` (no answer after every retry).
"""

import hashlib
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx

from warehouse_cli.retry import (
    NOTHING_SENT,
    Jitter,
    RetryPolicy,
    server_wait,
    should_retry_error,
    should_retry_response,
)

JsonObject = dict[str, Any]
Params = Mapping[str, str | int]
USER_AGENT = "warehouse-cli/0.1"


class ApiError(Exception):
    """An error answer, in the contract's terms (`code` is `http_<status>` if the body is not
    a contract error, e.g. from a proxy in front of the API)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.request_id = request_id

    @classmethod
    def of(cls, response: httpx.Response) -> "ApiError":
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or not isinstance(error.get("code"), str):
            text = response.text.strip()[:200] or response.reason_phrase
            return cls(response.status_code, f"http_{response.status_code}", text)
        details = error.get("details")
        return cls(
            response.status_code,
            error["code"],
            str(error.get("message", "")),
            details if isinstance(details, list) else None,
            body.get("request_id") if isinstance(body, dict) else None,
        )

    def describe(self) -> str:
        """`code: message`, plus the failing fields of a validation error."""
        text = f"{self.code}: {self.message}"
        fields = [
            f"{detail['field']}: {detail.get('message', '')}"
            for detail in self.details or []
            if isinstance(detail, dict) and "field" in detail
        ]
        return f"{text} ({'; '.join(fields)})" if fields else text


class ApiUnreachable(Exception):
    """No HTTP answer after every retry (connection refused, timeouts). `sent`: an attempt may
    have reached the API (it timed out or broke off after sending, or was answered with a 5xx
    before the retries failed to connect), so the request may have applied."""

    def __init__(self, message: str, sent: bool = False) -> None:
        super().__init__(message)
        self.sent = sent


@dataclass(frozen=True)
class Posted:
    """A movement's successful answer; `replayed` when the Idempotency-Key had been used."""

    status: int
    body: JsonObject
    replayed: bool


class ApiClient:
    """Thread-safe (one httpx.Client), so the importer's workers share its connection pool."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
        max_connections: int = 16,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Jitter = random.uniform,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"authorization": f"Bearer {token}", "user-agent": USER_AGENT},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(max_connections=max_connections),
            transport=transport,
        )
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._jitter = jitter
        self.identity = hashlib.sha256(f"{base_url.rstrip('/')}\n{token}".encode()).hexdigest()
        """Which API and which token: Idempotency-Keys belong to both."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.close()

    def get_json(self, path: str, params: Params | None = None) -> JsonObject:
        """A GET's JSON object; `ApiError` for any non-2xx answer."""
        response = self.send(self._http.build_request("GET", path, params=params), True)
        return self._json_object(response)

    def post(self, path: str, body: JsonObject, idempotency_key: str | None = None) -> Posted:
        """A POST; with an Idempotency-Key it is safe to retry after a lost answer."""
        headers = {"idempotency-key": idempotency_key} if idempotency_key else {}
        request = self._http.build_request("POST", path, json=body, headers=headers)
        response = self.send(request, idempotency_key is not None)
        replayed = response.headers.get("idempotent-replayed", "").lower() == "true"
        return Posted(response.status_code, self._json_object(response), replayed)

    def put(self, path: str, body: JsonObject, if_match: str | None = None) -> JsonObject:
        """A PUT, retried only when nothing ran: repeated after a lost answer, a conditional
        write would fail on its own first success (412)."""
        headers = {"if-match": if_match} if if_match else {}
        request = self._http.build_request("PUT", path, json=body, headers=headers)
        return self._json_object(self.send(request, False))

    def delete(self, path: str) -> None:
        """A DELETE (204); retried only when nothing ran, since a repeat would answer 404."""
        response = self.send(self._http.build_request("DELETE", path), False)
        if not response.is_success:
            raise ApiError.of(response)

    def send(self, request: httpx.Request, idempotent: bool) -> httpx.Response:
        """Sends with bounded retries; the last answer or `ApiUnreachable`."""
        attempts = max(1, self._policy.attempts)
        sent = False
        for retry in range(attempts):
            last = retry == attempts - 1
            try:
                response = self._http.send(request)
            except httpx.TransportError as error:
                sent = sent or not isinstance(error, NOTHING_SENT)
                if last or not should_retry_error(error, idempotent):
                    message = f"{request.method} {request.url}: {error!r}"
                    raise ApiUnreachable(message, sent) from error
                self._sleep(self._policy.delay(retry, None, self._jitter))
                continue
            sent = sent or response.status_code >= 500
            if last or not should_retry_response(response, idempotent):
                return response
            wait = server_wait(response, self._policy)
            self._sleep(self._policy.delay(retry, wait, self._jitter))
        raise AssertionError("unreachable: the last attempt returns or raises")

    @staticmethod
    def _json_object(response: httpx.Response) -> JsonObject:
        if not response.is_success:
            raise ApiError.of(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ApiError(response.status_code, "bad_response", "the answer is not a JSON object")
        return body
