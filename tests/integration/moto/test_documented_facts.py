"""What the docs state about requests and stored data, read from the docs and checked against
what the functions really do on moto: the body limit, token secrets and hashes, stock record
ids, cursors and their lifetime, idempotency records' lifetime, and `If-Match`'s bounds."""

import base64
import hashlib
import hmac
import json
import re
import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api
from warehouse_devstack.template import REPO_ROOT, Template

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DOCS = REPO_ROOT / "docs"
OPENAPI = json.loads((REPO_ROOT / "openapi.json").read_text())
CLOCK_SLACK_SECONDS = 120  # between the function's clock reading and the test's


def stated(page: str, sentence: str) -> re.Match[str]:
    """`sentence` (a regex) in docs/`page`, whitespace-normalised: the docs must say it."""
    text = " ".join((DOCS / page).read_text().split())
    match = re.search(sentence, text)
    assert match, f"docs/{page} no longer states: {sentence}"
    return match


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def scan(client: "DynamoDBClient", table: str) -> list[dict[str, Any]]:
    pages = client.get_paginator("scan").paginate(TableName=table)
    return [dict(item) for page in pages for item in page["Items"]]


def test_the_body_limit(api: Api) -> None:
    kib = int(stated("api.md", r"Bodies over (\d+) KiB are 413 `payload_too_large`")[1])
    limit = kib * 1024
    padding = limit - len(b'{"sku": ""}')
    at_limit = b'{"sku": "' + b"A" * padding + b'"}'
    assert len(at_limit) == limit
    assert api.call("POST", "/inventory/restock", raw_body=at_limit).status == 422
    over = api.call("POST", "/inventory/restock", raw_body=at_limit + b" ")
    assert over.status == 413
    assert over.body["error"]["code"] == "payload_too_large"


def test_token_secrets_and_what_is_stored_of_them(api: Api, dynamodb: "DynamoDBClient") -> None:
    match = stated(
        "architecture.md",
        r"Tokens\*\* are `(\w+)` \+ (\d+) random bits, stored only as their SHA-256",
    )
    prefix, bits = match[1], int(match[2])
    issued = api.call("POST", "/tokens", {"name": "documented", "role": "viewer"})
    assert issued.status == 201
    secret = issued.body["token"]
    assert secret.startswith(prefix)
    assert len(b64decode(secret.removeprefix(prefix))) * 8 == bits
    stored = [
        t for t in scan(dynamodb, "TokensTable") if t["token_id"]["S"] == issued.body["token_id"]
    ]
    assert [t["token_hash"]["S"] for t in stored] == [hashlib.sha256(secret.encode()).hexdigest()]
    assert secret not in json.dumps(stored)


def test_stock_record_ids(api: Api) -> None:
    bits = int(
        stated(
            "architecture.md", r"`id` is the first (\d+) bits of BLAKE2b over \(SKU, location\)"
        )[1]
    )
    answer = api.call(
        "POST", "/inventory/restock", {"sku": "IDS1", "quantity": 1, "location_code": "B-7"}
    )
    digest = hashlib.blake2b(b"IDS1\x00B-7", digest_size=8).digest()
    assert answer.body["id"] == int.from_bytes(digest) >> (64 - bits)


def test_cursors_are_signed_bound_to_their_query_and_expire(api: Api, template: Template) -> None:
    hours = int(stated("api.md", r"A cursor lives (\d+) hours")[1])
    stated(
        "architecture.md",
        r"Cursors\*\* are `base64url\(JSON of the key, the query and the expiry\)`",
    )
    for sku in ("CUR1", "CUR2"):
        assert api.call("PUT", f"/items/{sku}", {"name": sku}).status == 201
    page = api.call("GET", "/items", query="limit=1")
    cursor = page.body["next_cursor"]
    payload_text, mac_text = cursor.split(".")
    payload = json.loads(b64decode(payload_text))
    assert set(payload) == {"k", "s", "e"}  # key, query (scope), expiry
    assert abs(payload["e"] - (time.time() + hours * 3600)) < CLOCK_SLACK_SECONDS
    secret = template.function("ListItemsFunction").environment["CURSOR_SECRET"].encode()
    signature = hmac.new(secret, b64decode(payload_text), hashlib.sha256).digest()
    assert b64decode(mac_text) == signature
    other_query = api.call("GET", "/inventory", query=f"limit=1&cursor={cursor}")
    assert other_query.status == 400
    assert other_query.body["error"]["code"] == "invalid_cursor"


def test_idempotency_records_lifetime(api: Api, dynamodb: "DynamoDBClient") -> None:
    hours = int(stated("idempotency.md", r"A record lives (\d+) hours")[1])
    body = {"sku": "IDEM1", "quantity": 1}
    headers = [("Idempotency-Key", "documented-lifetime")]
    assert api.call("POST", "/inventory/restock", body, headers=headers).status == 201
    (record,) = scan(dynamodb, "IdempotencyTable")
    assert abs(int(record["expiration"]["N"]) - (time.time() + hours * 3600)) < CLOCK_SLACK_SECONDS


@pytest.fixture(scope="module")
def largest_version() -> int:
    adjust = OPENAPI["components"]["schemas"]["AdjustIn"]["properties"]["expected_version"]
    (integer,) = [v for v in adjust["anyOf"] if v.get("type") == "integer"]
    stated(
        "input-bounds.md",
        r"`If-Match` header .* carries a version in the same bounds as `expected_version`",
    )
    return int(integer["maximum"])


def test_if_match_past_the_largest_version_is_422_not_412(api: Api, largest_version: int) -> None:
    body = {"sku": "BOUND1", "location_code": "A-1", "counted_quantity": 1, "reason": "found"}
    assert api.call("POST", "/inventory/adjust", body).status == 200
    for version, status in ((largest_version, 412), (largest_version + 1, 422)):
        answer = api.call("POST", "/inventory/adjust", body, headers=[("If-Match", f'"{version}"')])
        assert answer.status == status, (version, answer.body)
        if status == 422:
            assert "If-Match" in json.dumps(answer.body["error"]["details"])
