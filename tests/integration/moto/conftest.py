"""Handler tests on moto: `mock_aws` entered once per module, tables built from template.yaml."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from warehouse_devstack.backends.provisioning import create_queues, create_tables
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.lambda_runtime import forget_function_singletons
from warehouse_devstack.template import Template
from warehouse_inventory.domain.access import Role
from warehouse_inventory.observability import metrics
from warehouse_inventory.wiring import token_service

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True)
class ApiResult:
    status: int
    headers: dict[str, str]
    body: Any


class Api:
    """Calls the handlers the way API Gateway does, through the same emulator as the local stack
    (authorizer included), as an admin unless another role or token is given."""

    def __init__(self, gateway: ApiGateway, tokens: dict[Role, str]) -> None:
        self._gateway = gateway
        self.tokens = tokens

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: str = "",
        raw_body: bytes | None = None,
        token: str | None = "admin",
        headers: list[tuple[str, str]] | None = None,
    ) -> ApiResult:
        """`token`: a role name (its test token), a raw secret, or None for no Authorization."""
        data = (
            raw_body if raw_body is not None else b"" if body is None else json.dumps(body).encode()
        )
        sent = list(headers or []) + ([("Content-Type", "application/json")] if data else [])
        if token is not None:
            secret = self.tokens.get(Role(token), token) if token in set(Role) else token
            sent.append(("Authorization", f"Bearer {secret}"))
        response = self._gateway.dispatch(method, path, query, sent, data)
        received = {k.lower(): v for k, v in response.headers}
        is_json = received.get("content-type", "").startswith("application/json")
        payload = json.loads(response.body) if response.body and is_json else response.body
        return ApiResult(response.status, received, payload or None)


@pytest.fixture(scope="module")
def dynamodb(template: Template) -> Iterator["DynamoDBClient"]:
    with mock_aws():
        forget_function_singletons()
        client = boto3.client("dynamodb")
        create_tables(client, template)
        create_queues(boto3.client("sqs"), template)
        yield client
    forget_function_singletons()


@pytest.fixture(scope="module")
def role_tokens(dynamodb: "DynamoDBClient") -> dict[Role, str]:
    """One live token per role, issued through the API's own TokenService."""
    return {role: token_service().issue(f"test-{role}", role).secret for role in Role}


@pytest.fixture(scope="module")
def api(role_tokens: dict[Role, str], template: Template) -> Api:
    return Api(ApiGateway(template), role_tokens)


def all_items(client: "DynamoDBClient") -> list[dict[str, Any]]:
    """Every item of the inventory table (a Scan: fine in tests, never in a request path)."""
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName="InventoryTable"):
        items += page["Items"]
    return items


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The session disables metrics; Powertools reads the switch when it flushes. What earlier
    tests added stays buffered while disabled (Powertools clears only what it prints): dropped."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics.clear_metrics()
    yield
