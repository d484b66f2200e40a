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


MOVEMENT_FILTERS = {"sku", "location_code", "type", "since", "until", "limit", "cursor"}
PAGE_PARAMETERS = {"limit", "cursor"}


@dataclass
class FakeWarehouse(FakeApi):
    """FakeApi plus what the other commands read and write: transfers, stock per SKU, items,
    tokens, `/me`, the movement history with the contract's filters, and the two reports.
    Lists are paged as the contract says (`limit` 1-100, default 50, cursor `c<offset>`);
    a query parameter a route does not define is 422, as the contract says."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    caller: dict[str, str] = field(
        default_factory=lambda: {"token_id": "tok_0", "name": "tester", "role": "admin"}
    )

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.startswith("/inventory/"):
            return super().handle(request)
        with self.lock:
            self.requests.append(request)
            return self.route(request)

    def route(self, request: httpx.Request) -> httpx.Response:
        method, parts = request.method, request.url.path.strip("/").split("/")
        routes = {
            ("GET", "me"): lambda: httpx.Response(200, json=self.caller),
            ("GET", "inventory"): lambda: self.stock_of(parts[1]),
            ("GET", "items"): lambda: self.get_items(request, parts[1:]),
            ("PUT", "items"): lambda: self.put_item(request, parts[1]),
            ("DELETE", "items"): lambda: self.delete_item(parts[1]),
            ("POST", "tokens"): lambda: self.create_token(json.loads(request.content)),
            ("GET", "tokens"): lambda: httpx.Response(200, json={"items": self.token_list()}),
            ("DELETE", "tokens"): lambda: self.revoke_token(parts[1]),
            ("GET", "reports"): lambda: self.report(request, parts[1]),
        }
        answer = routes.get((method, parts[0]))
        if answer is None:
            return error(404, "not_found", "No route matches this method and path.")
        return answer()

    # movements

    def apply(self, request: httpx.Request) -> httpx.Response:
        """Transfers here; restock, pick and adjust by FakeApi, then recorded in the history
        (only FakeApi's `handle`, `stock` and `versions` are relied on)."""
        body = json.loads(request.content)
        kind = request.url.path.removeprefix("/inventory/")
        if kind == "transfer":
            return self.transfer(body)
        if kind not in {"restock", "pick", "adjust"}:
            return super().apply(request)
        record = (body["sku"], body.get("location_code"))
        before = self.stock.get(record, 0)
        response = super().apply(request)
        if not response.is_success:
            return response
        delta = self.stock[record] - before
        level = self.recorded(kind, record, delta)
        answer = response.json() | level | ({"delta": delta} if kind == "adjust" else {})
        return httpx.Response(response.status_code, json=answer)

    def transfer(self, body: dict[str, Any]) -> httpx.Response:
        source = (body["sku"], body["from_location"])
        destination = (body["sku"], body["to_location"])
        quantity: int = body["quantity"]
        if source == destination:
            return error(422, "validation_error", "to_location must differ from from_location")
        on_hand = self.stock.get(source)
        if on_hand is None:
            return error(404, "not_found", "No stock record at that location.")
        if on_hand < quantity:
            details = [{"available": on_hand, "requested": quantity}]
            return error(409, "insufficient_stock", "Not enough on hand.", details)
        transfer_id = f"tr-{len(self.history)}"
        legs = []
        for record, delta, kind in [
            (source, -quantity, "transfer_out"),
            (destination, quantity, "transfer_in"),
        ]:
            self.stock[record] = self.stock.get(record, 0) + delta
            self.versions[record] = self.versions.get(record, 0) + 1
            legs.append(self.recorded(kind, record, delta, transfer_id))
        return httpx.Response(200, json={"source": legs[0], "destination": legs[1]})

    def recorded(
        self, kind: str, record: Record, delta: int, transfer_id: str | None = None
    ) -> dict[str, Any]:
        """A change already made to `stock` and `versions`: its movement and (on a first
        movement) its item are recorded; the level it leaves is returned."""
        sku, location = record
        now = self.now()
        self.items.setdefault(sku, self.new_item(sku, {"name": sku}, now))
        version, quantity = self.versions[record], self.stock[record]
        self.history.append(
            {
                "movement_id": f"{sku}@{location or ''}#{version}",
                "type": kind,
                "sku": sku,
                "location_code": location,
                "delta": delta,
                "quantity_after": quantity,
                "actor": self.caller["name"],
                "reason": None,
                "reference": None,
                "request_id": f"r-{len(self.history)}",
                "transfer_id": transfer_id,
                "occurred_at": now,
            }
        )
        return {
            "id": abs(hash(record)) % 2**53,
            "sku": sku,
            "quantity": quantity,
            "location_code": location,
            "updated_at": now,
            "version": version,
        }

    def now(self) -> str:
        seconds = len(self.history) + len(self.requests)
        return f"2026-01-31T09:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000001Z"

    def stock_of(self, sku: str) -> httpx.Response:
        held = sorted(
            (
                (location, quantity)
                for (owner, location), quantity in self.stock.items()
                if owner == sku
            ),
            key=lambda entry: entry[0] or "",
        )
        if not held and sku not in self.items:
            return error(404, "not_found", f"SKU {sku} is not known.")
        levels = [
            {"id": 1, "sku": sku, "quantity": quantity, "location_code": location}
            | {"updated_at": self.now(), "version": self.versions[(sku, location)]}
            for location, quantity in held
        ]
        total = sum(quantity for _, quantity in held)
        return httpx.Response(200, json={"sku": sku, "total_quantity": total, "levels": levels})

    # items

    def new_item(self, sku: str, fields: dict[str, Any], now: str) -> dict[str, Any]:
        return (
            {"sku": sku, "description": None, "unit": "each", "reorder_point": 0}
            | fields
            | {
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )

    def get_items(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        if parts:
            item = self.items.get(parts[0])
            return httpx.Response(200, json=item) if item else error(404, "not_found", "No item.")
        return self.page(request, [self.items[sku] for sku in sorted(self.items)])

    def put_item(self, request: httpx.Request, sku: str) -> httpx.Response:
        fields = json.loads(request.content)
        if not isinstance(fields.get("name"), str) or set(fields) - {
            "name",
            "description",
            "unit",
            "reorder_point",
        }:
            return error(422, "validation_error", "Invalid item.", [{"field": "name"}])
        current = self.items.get(sku)
        if_match = request.headers.get("if-match")
        if if_match is not None and (current is None or if_match != f'"{current["version"]}"'):
            return error(412, "precondition_failed", "The item is at another version.")
        now = self.now()
        if current is None:
            self.items[sku] = self.new_item(sku, fields, now)
            return httpx.Response(201, json=self.items[sku])
        replaced = {"description": None, "unit": "each", "reorder_point": 0} | fields
        self.items[sku] = (
            current | replaced | {"updated_at": now, "version": current["version"] + 1}
        )
        return httpx.Response(200, json=self.items[sku])

    def delete_item(self, sku: str) -> httpx.Response:
        if sku not in self.items:
            return error(404, "not_found", f"Item {sku} is not known.")
        if any(q for (owner, _), q in self.stock.items() if owner == sku):
            return error(409, "conflict", f"Item {sku} still has stock.")
        del self.items[sku]
        return httpx.Response(204)

    # tokens

    def create_token(self, body: dict[str, Any]) -> httpx.Response:
        token_id = f"tok_{len(self.tokens) + 1:016x}"
        self.tokens[token_id] = {"token_id": token_id, **body, "created_at": self.now()}
        secret = f"wh_secret-{len(self.tokens)}"
        return httpx.Response(201, json=self.tokens[token_id] | {"token": secret})

    def token_list(self) -> list[dict[str, Any]]:
        return list(self.tokens.values())

    def revoke_token(self, token_id: str) -> httpx.Response:
        if self.tokens.pop(token_id, None) is None:
            return error(404, "not_found", f"Token {token_id} is not known.")
        return httpx.Response(204)

    # reads

    def report(self, request: httpx.Request, name: str) -> httpx.Response:
        if name == "movements":
            return self.movements_page(request)
        if name == "low-stock":
            return self.page(request, self.low_stock())
        return self.page(request, self.locations())

    def movements_page(self, request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        unknown = set(query) - MOVEMENT_FILTERS
        if unknown:
            return error(422, "validation_error", f"Unknown query parameters: {sorted(unknown)}")
        wanted = [
            movement
            for movement in reversed(self.history)
            if all(
                query.get(name) in (None, movement[name])
                for name in ["sku", "location_code", "type"]
            )
            and movement["occurred_at"] >= query.get("since", "")
            and movement["occurred_at"] < query.get("until", "9999")
        ]
        return self.page(request, wanted, MOVEMENT_FILTERS)

    def low_stock(self) -> list[dict[str, Any]]:
        lines = []
        for sku, item in sorted(self.items.items()):
            total = sum(q for (owner, _), q in self.stock.items() if owner == sku)
            if item["reorder_point"] > 0 and total <= item["reorder_point"]:
                line = {"sku": sku, "name": item["name"], "total_quantity": total}
                lines.append(line | {"reorder_point": item["reorder_point"]})
        return lines

    def locations(self) -> list[dict[str, Any]]:
        places: dict[str | None, list[int]] = {}
        for (_, location), quantity in self.stock.items():
            places.setdefault(location, []).append(quantity)
        return [
            {
                "location_code": code,
                "sku_count": sum(1 for q in counts if q),
                "total_quantity": sum(counts),
            }
            for code, counts in sorted(places.items(), key=lambda entry: entry[0] or "")
        ]

    def page(
        self,
        request: httpx.Request,
        rows: list[dict[str, Any]],
        allowed: set[str] = PAGE_PARAMETERS,
    ) -> httpx.Response:
        query = dict(request.url.params)
        if set(query) - allowed:
            return error(422, "validation_error", f"Unknown query parameters: {sorted(query)}")
        limit = int(query.get("limit", "50"))
        if not 1 <= limit <= 100:
            return error(422, "validation_error", "limit must be between 1 and 100")
        start = int(query.get("cursor", "c0")[1:])
        end = start + limit
        cursor = f"c{end}" if end < len(rows) else None
        return httpx.Response(200, json={"items": rows[start:end], "next_cursor": cursor})
