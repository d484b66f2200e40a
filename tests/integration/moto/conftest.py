"""Handler tests on moto: `mock_aws` entered once per module, tables built from template.yaml."""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from fastapi import Request
from moto import mock_aws

from tests.support.api import Api, documented_error_codes
from warehouse_devstack.backends.provisioning import create_queues, create_tables
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.lambda_runtime import forget_function_singletons
from warehouse_devstack.template import Template
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.errors import WarehouseError
from warehouse_inventory.http import error_responses
from warehouse_inventory.http.context import principal_of
from warehouse_inventory.observability import metrics
from warehouse_inventory.wiring import token_service

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


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
    """The authorizer on every request (no policy cache): a revoked token is refused at once,
    and every request's authorizer call is seen (test_authorizer_cache.py tests the cache)."""
    return Api(ApiGateway(template, authorizer_cache_seconds=0), role_tokens)


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The session disables metrics; Powertools reads the switch when it flushes. What earlier
    tests added stays buffered while disabled (Powertools clears only what it prints): dropped."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics.clear_metrics()
    yield


@pytest.fixture(scope="module", autouse=True)
def errors_are_documented() -> Iterator[None]:
    """Every error a route answers in this module's tests must be one the OpenAPI document lists
    for it (http/route_errors.py): checked when the module ends, from the handlers' own answers.
    Routes outside the document (the docs page's own files) are not checked. Events with a role
    no token can have (forged past the authorizer, to test that a function
    fails closed) are not what a client can send, so not counted."""
    answered: list[tuple[str, str, str]] = []
    original = error_responses.error_response

    def recording(request: Request, error: WarehouseError, *args: Any, **kwargs: Any) -> Any:
        route = request.scope.get("route")
        role = principal_of(request.scope).role
        if route is not None and (role is None or role in set(Role)):
            answered.append((request.method.lower(), route.path, error.code))
        return original(request, error, *args, **kwargs)

    error_responses.error_response = recording
    try:
        yield
    finally:
        error_responses.error_response = original
    listed = documented_error_codes()
    undocumented = sorted(
        {answer for answer in answered if answer[2] not in listed.get(answer[:2], {answer[2]})}
    )
    assert not undocumented, f"errors answered but not in the OpenAPI document: {undocumented}"
