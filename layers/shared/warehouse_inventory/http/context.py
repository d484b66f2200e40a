"""What a request knows about its Lambda invocation: the API Gateway event Mangum put in scope."""

import uuid
from collections.abc import Mapping
from typing import Any

from warehouse_inventory.domain.caller import ANONYMOUS, Principal

Scope = dict[str, Any]


def api_gateway_event(scope: Mapping[str, Any]) -> dict[str, Any]:
    event: dict[str, Any] = scope.get("aws.event") or {}
    return event


def request_id_of(scope: Mapping[str, Any]) -> str:
    """API Gateway's request id, the same one the logs carry as correlation id."""
    context = api_gateway_event(scope).get("requestContext") or {}
    return str(context.get("requestId") or uuid.uuid4())


def invocation_id_of(scope: Mapping[str, Any]) -> str:
    """The Lambda invocation's `aws_request_id`: the SDK's retries within one invocation share
    it, while a replayed event (`sam local invoke` twice) is a new invocation. API Gateway's
    request id is not: a sample event carries a fixed one. Without a Lambda context (an ASGI
    test client), the API Gateway request id."""
    context = scope.get("aws.context")
    invocation = getattr(context, "aws_request_id", None)
    return str(invocation) if invocation else request_id_of(scope)


def principal_of(scope: Mapping[str, Any]) -> Principal:
    """The authorizer's context (token_id, name, role); anonymous until an authorizer runs."""
    context = api_gateway_event(scope).get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    if not authorizer.get("name"):
        return ANONYMOUS
    return Principal(
        token_id=authorizer.get("token_id"), name=authorizer["name"], role=authorizer.get("role")
    )
