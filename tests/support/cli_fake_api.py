"""The contract's stock movements and Idempotency-Key, in memory, behind httpx.MockTransport.

Enough of the API for the CLI's unit tests: restock, pick, transfer and adjust per (sku,
location), alone or as a batch (POST /inventory/movements: all or nothing, a refusal naming its
entry by `index`), replays answered with `Idempotent-Replayed: true` (only successes are kept
under a key, as the API does), every request recorded.
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


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


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
        movement = request.url.path.removeprefix("/inventory/")
        if movement != "movements":
            try:
                status, result = self.move(movement, body)
            except Refused as refused:
                return error(refused.status, refused.code, refused.message, refused.details)
            return httpx.Response(status, json=result)
        stock, versions = dict(self.stock), dict(self.versions)
        results = []
        for index, entry in enumerate(body["movements"]):
            fields = {name: value for name, value in entry.items() if name != "type"}
            try:
                results.append(self.move(entry["type"], fields)[1])
            except Refused as refused:
                self.stock, self.versions = stock, versions
                details = [{"index": index, **detail} for detail in refused.details or [{}]]
                return error(refused.status, refused.code, refused.message, details)
        return httpx.Response(200, json={"results": results})

    def move(self, movement: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if movement == "restock":
            record = (body["sku"], body.get("location_code"))
            return 201, self.write(record, self.stock.get(record, 0) + body["quantity"])
        if movement == "adjust":
            record = (body["sku"], body.get("location_code"))
            delta = body["counted_quantity"] - self.stock.get(record, 0)
            return 200, self.write(record, body["counted_quantity"]) | {"delta": delta}
        if movement == "transfer":
            source = self.take((body["sku"], body["from_location"]), body["quantity"])
            destination = (body["sku"], body["to_location"])
            arrived = self.write(destination, self.stock.get(destination, 0) + body["quantity"])
            return 200, {"source": source, "destination": arrived}
        return 200, self.take((body["sku"], body.get("location_code")), body["quantity"])

    def take(self, record: Record, quantity: int) -> dict[str, Any]:
        on_hand = self.stock.get(record)
        if on_hand is None:
            raise Refused(404, "not_found", "No stock record at that location.")
        if on_hand < quantity:
            details = [{"available": on_hand, "requested": quantity}]
            raise Refused(409, "insufficient_stock", "Not enough on hand.", details)
        return self.write(record, on_hand - quantity)

    def write(self, record: Record, quantity: int) -> dict[str, Any]:
        self.stock[record] = quantity
        self.versions[record] = self.versions.get(record, 0) + 1
        sku, location = record
        level = {"sku": sku, "location_code": location, "quantity": quantity}
        return level | {"version": self.versions[record]}

    def movements(self) -> list[httpx.Request]:
        return [request for request in self.requests if request.method == "POST"]
