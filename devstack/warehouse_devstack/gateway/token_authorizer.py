"""What API Gateway does with a TOKEN Lambda authorizer, for the local stack: call it, turn its
"Unauthorized" failure into 401, evaluate the IAM policy it returns against the method ARN (403
unless allowed), and hand its context to the function. No caching: a revoked token is refused at
once locally (deployed, for at most the authorizer cache TTL)."""

import logging
import time
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import FunctionSpec

logger = logging.getLogger(__name__)
"""The authorizer's own line per call; the local stack shows it only with --verbose (the request's
line already counts its time)."""

ACCOUNT = "123456789012"
REGION = "us-east-1"
API_ID = "local"


@dataclass(frozen=True)
class Decision:
    """`gateway_response` names the template's GatewayResponses entry when the call is refused."""

    gateway_response: str | None
    context: dict[str, Any] | None = None


def method_arn(stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{stage}/{method}{path}"


def _matches(resources: str | list[str], arn: str) -> bool:
    """IAM resource wildcards: `*` spans any characters, `/` included."""
    patterns = [resources] if isinstance(resources, str) else resources
    return any(fnmatchcase(arn, pattern) for pattern in patterns)


def policy_allows(policy: dict[str, Any], arn: str) -> bool:
    """An explicit Deny wins; otherwise an Allow must match; otherwise the call is refused."""
    statements = policy.get("Statement", [])
    invoke_statements = [s for s in statements if "execute-api:Invoke" in str(s.get("Action"))]
    if any(s["Effect"] == "Deny" and _matches(s["Resource"], arn) for s in invoke_statements):
        return False
    return any(s["Effect"] == "Allow" and _matches(s["Resource"], arn) for s in invoke_statements)


def authorize(authorizer: FunctionSpec, token: str | None, arn: str) -> Decision:
    if not token:
        return Decision("UNAUTHORIZED")  # API Gateway answers without calling the authorizer
    started = time.perf_counter()
    decision = _decide(authorizer, token, arn)
    logger.info(
        "%s %s -> %s (%.1f ms)",
        authorizer.logical_id,
        _request_of(arn),
        decision.gateway_response or "allow",
        (time.perf_counter() - started) * 1000,
    )
    return decision


def _request_of(arn: str) -> str:
    """`arn:...:local/v1/GET/inventory/X` -> `GET /inventory/X`."""
    method, _, path = arn.split("/", 2)[2].partition("/")
    return f"{method} /{path}"


def _decide(authorizer: FunctionSpec, token: str, arn: str) -> Decision:
    event = {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
    try:
        result = invoke(authorizer, event)
    except Exception as exc:
        return Decision("UNAUTHORIZED" if str(exc) == "Unauthorized" else "AUTHORIZER_FAILURE")
    if not policy_allows(result.get("policyDocument", {}), arn):
        return Decision("ACCESS_DENIED")
    context = dict(result.get("context") or {}) | {"principalId": result.get("principalId")}
    return Decision(None, context)
