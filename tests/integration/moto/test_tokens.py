"""Token management through the API: the secret is shown once, stored as a hash only, never
listed or logged, and refused as soon as it is revoked."""

import hashlib
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import Api
from tests.support.event_files import load_event
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import Template
from warehouse_inventory.domain.access import Role
from warehouse_inventory.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")
ISSUED_FIELDS = {"token_id", "name", "role", "token", "created_at"}
LISTED_FIELDS = {"token_id", "name", "role", "created_at"}


def issue(api: Api, name: str, role: str = "viewer") -> dict[str, Any]:
    result = api.call("POST", "/tokens", {"name": name, "role": role})
    assert result.status == 201, result.body
    body: dict[str, Any] = result.body
    return body


def random_part(secret: str) -> str:
    return secret.removeprefix("wh_")


def table_items(client: "DynamoDBClient") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName="TokensTable"):
        items += page["Items"]
    return items


@pytest.fixture
def log_text(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[Callable[[], str]]:
    """Everything written while the test runs: Powertools' JSON lines (its own stream handler,
    at DEBUG), stdout/stderr, and every logging record (botocore's included) at DEBUG."""
    caplog.set_level(logging.DEBUG)
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    powertools_lines = io.StringIO()
    previous_stream = handler.setStream(powertools_lines)
    previous_level = logger.log_level
    logger.setLevel("DEBUG")
    records = logging.getLogger(logger.name)  # the standard logger behind Powertools'
    records.addHandler(caplog.handler)

    def text() -> str:
        captured = capsys.readouterr()
        return powertools_lines.getvalue() + captured.out + captured.err + caplog.text

    try:
        yield text
    finally:
        records.removeHandler(caplog.handler)
        logger.setLevel(previous_level)
        if previous_stream is not None:
            handler.setStream(previous_stream)


def test_create_shows_a_strong_secret_once(api: Api) -> None:
    first = api.call("POST", "/tokens", {"name": "scanner-1", "role": "operator"})
    second = issue(api, "scanner-2", "operator")

    assert first.status == 201
    assert set(first.body) == ISSUED_FIELDS
    assert (first.body["name"], first.body["role"]) == ("scanner-1", "operator")
    assert first.body["token_id"].startswith("tok_")
    assert first.body["created_at"]
    secret = first.body["token"]
    assert secret.startswith("wh_")
    assert URLSAFE.match(random_part(secret))
    assert len(random_part(secret)) >= 22  # 22 urlsafe characters carry 132 bits
    assert len({secret, second["token"]}) == 2
    assert first.body["token_id"] != second["token_id"]


def test_list_shows_the_token_but_never_a_secret(
    api: Api, template: Template, role_tokens: dict[Role, str]
) -> None:
    issued = issue(api, "listed")
    admin = [("Authorization", f"Bearer {role_tokens[Role.ADMIN]}")]

    response = ApiGateway(template).dispatch("GET", "/tokens", "", admin, b"")

    assert response.status == 200
    for secret in [issued["token"], *role_tokens.values()]:
        assert random_part(secret).encode() not in response.body
    assert hashlib.sha256(issued["token"].encode()).hexdigest().encode() not in response.body
    items = json.loads(response.body)["items"]
    assert all(set(item) == LISTED_FIELDS for item in items)
    listed = [item for item in items if item["token_id"] == issued["token_id"]]
    assert listed == [{key: issued[key] for key in LISTED_FIELDS}]


def test_table_holds_only_the_hash(api: Api, dynamodb: "DynamoDBClient") -> None:
    issued = issue(api, "hashed", "admin")
    secret = issued["token"]

    items = table_items(dynamodb)

    (item,) = [item for item in items if item["token_id"]["S"] == issued["token_id"]]
    assert item["token_hash"]["S"] == hashlib.sha256(secret.encode()).hexdigest()
    assert set(item) == {"token_hash", "token_id", "name", "role", "created_at", "status"}
    assert random_part(secret) not in json.dumps(items)


def test_secret_is_never_logged(api: Api, log_text: Callable[[], str]) -> None:
    issued = issue(api, "quiet", "admin")
    used = api.call("GET", "/tokens", token=issued["token"])
    api.call("GET", "/inventory", token=issued["token"])
    revoked = api.call("DELETE", f"/tokens/{issued['token_id']}")
    refused = api.call("GET", "/inventory", token=issued["token"])

    text = log_text()
    assert (used.status, revoked.status, refused.status) == (200, 204, 401)
    assert issued["token_id"] in text  # the capture works: the authorizer logs the token id
    assert random_part(issued["token"]) not in text


def test_revoked_token_is_refused_at_once(api: Api) -> None:
    issued = issue(api, "short-lived")
    assert api.call("GET", "/inventory", token=issued["token"]).status == 200

    first = api.call("DELETE", f"/tokens/{issued['token_id']}")
    refused = api.call("GET", "/inventory", token=issued["token"])
    second = api.call("DELETE", f"/tokens/{issued['token_id']}")
    listed = api.call("GET", "/tokens")

    assert (first.status, first.body) == (204, None)
    assert refused.status == 401
    assert refused.body["error"]["code"] == "unauthorized"
    assert second.status == 404
    assert second.body["error"]["code"] == "not_found"
    assert issued["token_id"] not in {item["token_id"] for item in listed.body["items"]}


@pytest.mark.parametrize(
    ("token_id", "status"), [("tok_0123456789abcdef", 404), ("not-a-token-id", 422)]
)
def test_revoking_an_unknown_or_malformed_id(api: Api, token_id: str, status: int) -> None:
    assert api.call("DELETE", f"/tokens/{token_id}").status == status


def test_new_viewer_token_reads_but_cannot_manage_tokens(api: Api) -> None:
    viewer = issue(api, "auditor", "viewer")["token"]

    read = api.call("GET", "/inventory", token=viewer)
    create = api.call("POST", "/tokens", {"name": "escalate", "role": "admin"}, token=viewer)
    listing = api.call("GET", "/tokens", token=viewer)

    assert read.status == 200
    assert (create.status, create.body["error"]["code"]) == (403, "forbidden")
    assert (listing.status, listing.body["error"]["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "role": "superuser"},
        {"name": "x", "role": "Admin"},
        {"name": "", "role": "viewer"},
        {"name": "x" * 101, "role": "viewer"},
        {"name": "line\nbreak", "role": "viewer"},
        {"name": "x", "role": "viewer", "token": "wh_chosen-by-the-client"},
        {"name": "x", "role": "viewer", "is_admin": True},
        {"name": "x"},
        {"role": "viewer"},
        {},
    ],
)
def test_bad_token_request_is_422_and_issues_nothing(api: Api, body: dict[str, Any]) -> None:
    before = api.call("GET", "/tokens").body["items"]

    result = api.call("POST", "/tokens", body)

    assert result.status == 422
    assert result.body["error"]["code"] == "validation_error"
    assert result.body["error"]["details"]
    assert api.call("GET", "/tokens").body["items"] == before


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_me_names_the_calling_token_for_any_role(api: Api, role: str) -> None:
    issued = issue(api, f"me-{role}", role)
    result = api.call("GET", "/me", token=issued["token"])
    assert result.status == 200, result.body
    assert result.body == {"token_id": issued["token_id"], "name": f"me-{role}", "role": role}


def test_me_needs_a_live_token(api: Api) -> None:
    issued = issue(api, "me-revoked")
    assert api.call("DELETE", f"/tokens/{issued['token_id']}").status == 204
    for token in (issued["token"], None, "wh_not-a-token"):
        result = api.call("GET", "/me", token=token)
        assert (result.status, result.body["error"]["code"]) == (401, "unauthorized")


def test_me_without_the_authorizer_s_context_fails_closed(template: Template) -> None:
    """An API wired without the authorizer must not answer with an anonymous identity."""
    event = load_event("me.json")
    event["requestContext"].pop("authorizer")
    response = invoke(template.function("MeFunction"), event)
    assert response["statusCode"] == 401
