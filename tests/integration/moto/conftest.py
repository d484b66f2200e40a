"""Handler tests on moto: `mock_aws` entered once per module, tables built from template.yaml."""

from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from tests.support.api import Api
from warehouse_devstack.backends.provisioning import create_queues, create_tables
from warehouse_devstack.gateway.rest_api import ApiGateway
from warehouse_devstack.lambda_runtime import forget_function_singletons
from warehouse_devstack.template import Template
from warehouse_inventory.domain.access import Role
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
    return Api(ApiGateway(template), role_tokens)


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The session disables metrics; Powertools reads the switch when it flushes. What earlier
    tests added stays buffered while disabled (Powertools clears only what it prints): dropped."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics.clear_metrics()
    yield
