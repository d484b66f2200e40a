"""The gateway's authorizer cache: a grant per token for its TTL, nothing kept with a TTL of 0,
expired entries dropped."""

from warehouse_devstack.gateway.token_authorizer import Grant, GrantCache

GRANT = Grant({"Statement": []}, {"principalId": "tok_1"})


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_a_grant_lasts_its_ttl() -> None:
    clock = Clock()
    cache = GrantCache(10, clock)
    cache.put("Bearer a", GRANT)

    clock.now += 9.9
    kept = cache.get("Bearer a")
    clock.now += 0.1

    assert (kept, cache.get("Bearer a")) == (GRANT, None)


def test_zero_seconds_keeps_nothing() -> None:
    cache = GrantCache(0, Clock())
    cache.put("Bearer a", GRANT)

    assert cache.get("Bearer a") is None


def test_expired_entries_are_dropped_on_the_next_write() -> None:
    clock = Clock()
    cache = GrantCache(10, clock)
    cache.put("Bearer old", GRANT)
    clock.now += 10
    cache.put("Bearer new", GRANT)

    assert cache.tokens() == ["Bearer new"]


def test_each_decision_gets_its_own_context() -> None:
    allow = {"Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}
    grant = Grant(allow, {"role": "viewer"})

    first = grant.decide("arn:aws:execute-api:us-east-1:1:local/v1/GET/inventory")
    assert first.context is not None
    first.context["role"] = "admin"

    assert grant.decide("arn:aws:execute-api:us-east-1:1:local/v1/GET/x").context == {
        "role": "viewer"
    }
