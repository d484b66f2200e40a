"""What API Gateway does with a TOKEN Lambda authorizer, for the local stack: call it, turn its
"Unauthorized" failure into 401, evaluate the IAM policy it returns against the method ARN (403
unless allowed), and hand its context to the function.

Like API Gateway, the policy a token gets is cached for the authorizer's TTL (the template's
ReauthorizeEvery) and evaluated against each request's ARN: a token revoked meanwhile passes
until its entry expires, as deployed. A TTL of 0 calls the authorizer on every request."""

import logging
import threading
import time
from collections.abc import Callable
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


@dataclass(frozen=True)
class Grant:
    """What an authorizer call returned: its policy and the context it passes on."""

    policy: dict[str, Any]
    context: dict[str, Any]

    def decide(self, arn: str) -> Decision:
        if not policy_allows(self.policy, arn):
            return Decision("ACCESS_DENIED")
        return Decision(None, dict(self.context))  # each event its own copy


class GrantCache:
    """API Gateway's authorizer cache: a token's grant for `seconds`, keyed by the token.

    Hand-written (a dict, a lock and an expiry time): the local stack's dependencies have no
    TTL cache, and a dev tool does not take one on for a dozen lines. Expired entries are
    dropped when the cache is next written, so it holds only the tokens of the last TTL."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._grants: dict[str, tuple[float, Grant]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Grant | None:
        with self._lock:
            entry = self._grants.get(token)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, token: str, grant: Grant) -> None:
        if self.seconds <= 0:
            return
        now = self._clock()
        with self._lock:
            for stale in [key for key, (expires, _) in self._grants.items() if expires <= now]:
                del self._grants[stale]
            self._grants[token] = (now + self.seconds, grant)

    def tokens(self) -> list[str]:
        """The tokens held, live or not yet dropped (for tests and diagnostics)."""
        with self._lock:
            return list(self._grants)


class TokenAuthorizer:
    """The REST API's TOKEN authorizer as API Gateway runs it, with its policy cache."""

    def __init__(self, function: FunctionSpec, cache: GrantCache) -> None:
        self.function = function
        self.cache = cache

    def authorize(self, token: str | None, arn: str) -> Decision:
        if not token:
            return Decision("UNAUTHORIZED")  # API Gateway answers without calling the authorizer
        cached = self.cache.get(token)
        if cached is not None:
            return cached.decide(arn)
        started = time.perf_counter()
        decision = self._call(token, arn)
        logger.info(
            "%s %s -> %s (%.1f ms)",
            self.function.logical_id,
            _request_of(arn),
            decision.gateway_response or "allow",
            (time.perf_counter() - started) * 1000,
        )
        return decision

    def _call(self, token: str, arn: str) -> Decision:
        """Invoke the authorizer; its policy is cached (allow or deny, as API Gateway caches
        it), its failures are not."""
        event = {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
        try:
            result = invoke(self.function, event)
        except Exception as exc:
            return Decision("UNAUTHORIZED" if str(exc) == "Unauthorized" else "AUTHORIZER_FAILURE")
        context = dict(result.get("context") or {}) | {"principalId": result.get("principalId")}
        grant = Grant(result.get("policyDocument", {}), context)
        self.cache.put(token, grant)
        return grant.decide(arn)


def _request_of(arn: str) -> str:
    """`arn:...:local/v1/GET/inventory/X` -> `GET /inventory/X`."""
    method, _, path = arn.split("/", 2)[2].partition("/")
    return f"{method} /{path}"
