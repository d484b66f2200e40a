"""The contract's stock movements and Idempotency-Key, in memory, behind httpx.MockTransport.

Enough of the API for the CLI's unit tests: restock, pick and adjust per (sku, location),
replays answered with `Idempotent-Replayed: true`, every request recorded.
"""

import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

BASE_URL = "http://api.test"
Record = tuple[str, str | None]


def error(status: int, code: str, message: str, details: Any = None) -> httpx.Response:
    body = {"error": {"code": code, "message": message, "details": details}, "request_id": "r-1"}
    return httpx.Response(status, json=body, headers={"x-request-id": "r-1"})


@dataclass
class FakeApi:
    jitter_seconds: float = 0.0  # a random pause per request, to shuffle concurrent requests
    stock: dict[Record, int] = field(default_factory=dict)
    versions: dict[Record, int] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    replies: dict[str, tuple[bytes, httpx.Response]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.jitter_seconds:
            time.sleep(random.uniform(0, self.jitter_seconds))
        with self.lock:
            self.requests.append(request)
            key = request.headers.get("idempotency-key")
            if key is None:
                return self.apply(request)
            seen = self.replies.get(f"{request.url.path} {key}")
            if seen is not None:
                if seen[0] != request.content:
                    return error(422, "idempotency_key_reused", "Another body for this key.")
                first = seen[1]
                headers = {"idempotent-replayed": "true"}
                return httpx.Response(first.status_code, content=first.content, headers=headers)
            response = self.apply(request)
            if response.is_success:
                self.replies[f"{request.url.path} {key}"] = (request.content, response)
            return response

    def apply(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        record = (body["sku"], body.get("location_code"))
        movement = request.url.path.removeprefix("/inventory/")
        on_hand = self.stock.get(record)
        if movement == "restock":
            return self.write(record, (on_hand or 0) + body["quantity"], 201)
        if movement == "adjust":
            return self.write(record, body["counted_quantity"], 200)
        if on_hand is None:
            return error(404, "not_found", "No stock record at that location.")
        if on_hand < body["quantity"]:
            details = [{"available": on_hand, "requested": body["quantity"]}]
            return error(409, "insufficient_stock", "Not enough on hand.", details)
        return self.write(record, on_hand - body["quantity"], 200)

    def write(self, record: Record, quantity: int, status: int) -> httpx.Response:
        self.stock[record] = quantity
        self.versions[record] = self.versions.get(record, 0) + 1
        sku, location = record
        level = {"sku": sku, "location_code": location, "quantity": quantity}
        return httpx.Response(status, json=level | {"version": self.versions[record]})

    def movements(self) -> list[httpx.Request]:
        return [request for request in self.requests if request.method == "POST"]
