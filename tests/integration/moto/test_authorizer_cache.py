"""The local gateway caches the authorizer's policy per token for the template's
ReauthorizeEvery, as API Gateway does: one authorizer call per token and TTL, the cached policy
evaluated against each request, a revoked token passing until its entry expires; 0 turns the
cache off."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.api import Api
from warehouse_devstack.gateway import token_authorizer
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.gateway.token_authorizer import GrantCache
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import FunctionSpec, Template
from warehouse_inventory.domain.access import Role

REQUESTS = 5


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def authorizer_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The token of each authorizer invocation (the function still runs)."""
    calls: list[str] = []

    def counting(spec: FunctionSpec, event: dict[str, Any]) -> Any:
        calls.append(event["authorizationToken"])
        return invoke(spec, event)

    monkeypatch.setattr(token_authorizer, "invoke", counting)
    return calls


@pytest.fixture
def gateway_api(template: Template, role_tokens: dict[Role, str]) -> Callable[[float | None], Api]:
    def make(seconds: float | None) -> Api:
        return Api(ApiGateway(template, authorizer_cache_seconds=seconds), role_tokens)

    return make


def test_template_sets_the_ttl(template: Template) -> None:
    authorizer = template.authorizer()
    overridden = Template(parameter_overrides={"AuthorizerCacheSeconds": "7"}).authorizer()

    assert authorizer is not None and overridden is not None
    assert (authorizer.cache_seconds, overridden.cache_seconds) == (300, 7)


@pytest.mark.parametrize(("seconds", "calls"), [(None, 1), (0, REQUESTS)])
def test_one_call_per_token_while_cached(
    gateway_api: Callable[[float | None], Api],
    authorizer_calls: list[str],
    seconds: float | None,
    calls: int,
) -> None:
    api = gateway_api(seconds)

    statuses = [api.call("GET", "/inventory", token="viewer").status for _ in range(REQUESTS)]

    assert statuses == [200] * REQUESTS
    assert len(authorizer_calls) == calls


def test_each_token_is_cached_apart(
    gateway_api: Callable[[float | None], Api], authorizer_calls: list[str]
) -> None:
    api = gateway_api(None)

    for role in ("viewer", "admin", "viewer", "admin"):
        api.call("GET", "/inventory", token=role)

    assert len(authorizer_calls) == 2


def test_cached_policy_is_evaluated_per_request(
    gateway_api: Callable[[float | None], Api], authorizer_calls: list[str]
) -> None:
    """A viewer's cached policy allows reads and still refuses a restock (403)."""
    api = gateway_api(None)
    restock = {"sku": "CACHE1", "quantity": 1, "location_code": "A-01"}

    read = api.call("GET", "/inventory", token="viewer")
    write = api.call("POST", "/inventory/restock", restock, token="viewer")

    assert (read.status, write.status) == (200, 403)
    assert len(authorizer_calls) == 1


def test_revoked_token_passes_until_its_entry_expires(
    template: Template, role_tokens: dict[Role, str], authorizer_calls: list[str]
) -> None:
    clock = Clock()
    gateway = ApiGateway(template)
    assert gateway.authorizer is not None
    gateway.authorizer.cache = GrantCache(300, clock)
    api = Api(gateway, role_tokens)
    issued = api.call("POST", "/tokens", {"name": "cached-revoked", "role": "viewer"}).body
    assert api.call("GET", "/inventory", token=issued["token"]).status == 200
    assert api.call("DELETE", f"/tokens/{issued['token_id']}").status == 204

    clock.now += 299
    still = api.call("GET", "/inventory", token=issued["token"]).status
    clock.now += 1
    refused = api.call("GET", "/inventory", token=issued["token"]).status

    assert (still, refused) == (200, 401)
    assert authorizer_calls.count(f"Bearer {issued['token']}") == 2


def test_refusals_are_not_cached(
    gateway_api: Callable[[float | None], Api], authorizer_calls: list[str]
) -> None:
    api = gateway_api(None)

    statuses = [api.call("GET", "/inventory", token="wh_" + "A" * 43).status for _ in range(3)]

    assert statuses == [401] * 3
    assert len(authorizer_calls) == 3
