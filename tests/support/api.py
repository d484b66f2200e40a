"""Calling the handlers the way API Gateway does, through the local stack's own emulator."""

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_inventory.domain.access import Role

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
        content_type: str | None = "application/json",
    ) -> ApiResult:
        """`token`: a role name (its test token), a raw secret, or None for no Authorization;
        `content_type` goes with a body (None: a body without one)."""
        data = (
            raw_body if raw_body is not None else b"" if body is None else json.dumps(body).encode()
        )
        sent = list(headers or []) + (
            [("Content-Type", content_type)] if data and content_type else []
        )
        if token is not None:
            secret = self.tokens.get(Role(token), token) if token in set(Role) else token
            sent.append(("Authorization", f"Bearer {secret}"))
        response = self._gateway.dispatch(method, path, query, sent, data)
        received = {k.lower(): v for k, v in response.headers}
        is_json = received.get("content-type", "").startswith("application/json")
        payload = json.loads(response.body) if response.body and is_json else response.body
        return ApiResult(response.status, received, payload or None)


def documented_error_codes() -> dict[tuple[str, str], set[str]]:
    """(lower-case method, path) -> the error codes the OpenAPI document lists for it."""
    from warehouse_inventory.http.openapi import openapi_document

    return {
        (method, path): {
            code
            for status, response in operation["responses"].items()
            if status[0] in "45"
            for code in re.findall(r"`([a-z_]+)`", response["description"].split(".")[0])
        }
        for path, operations in openapi_document()["paths"].items()
        for method, operation in operations.items()
    }


def all_items(client: "DynamoDBClient") -> list[dict[str, Any]]:
    """Every item of the inventory table (a Scan: fine in tests, never in a request path)."""
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName="InventoryTable"):
        items += page["Items"]
    return items
