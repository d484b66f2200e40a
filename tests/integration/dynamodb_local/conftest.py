"""One DynamoDB Local per session, tables from template.yaml, the handlers' clients pointed at it.

These tests exist because moto does not emulate concurrency, transactions and streams faithfully,
so a fallback to moto's server is a failure here, not a skip.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.config import Config

from tests.support.dynamodb_local import ClientFactory, LocalDynamo
from warehouse_devstack.backends.dynamodb_local import dynamodb_local, free_port
from warehouse_devstack.backends.provisioning import create_tables
from warehouse_devstack.event_sources.stream_reader import StreamLog
from warehouse_devstack.lambda_runtime import forget_function_singletons
from warehouse_devstack.template import Template
from warehouse_inventory.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@pytest.fixture(scope="session")
def local_dynamo(template: Template, function_environment: dict[str, str]) -> Iterator[LocalDynamo]:
    """Start the emulator once per session and build the template's tables in it."""
    with dynamodb_local(free_port()) as endpoint:
        if endpoint.engine != "dynamodb-local":
            pytest.fail(
                f"DynamoDB Local is required (Java 17 and its jar in devstack/node_modules) but "
                f"{endpoint.engine} started, which is not faithful for concurrency or streams"
            )
        client = boto3.client("dynamodb", endpoint_url=endpoint.url)
        create_tables(client, template)
        table_name = get_settings().table_name
        stream_arn = client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams", endpoint_url=endpoint.url)
        log = StreamLog(streams, stream_arn)
        yield LocalDynamo(endpoint.url, client, streams, table_name, stream_arn, log)


@pytest.fixture(scope="session")
def emulator_client(local_dynamo: LocalDynamo) -> ClientFactory:
    """A new client per call, so the event hooks a test registers stay on its own client.

    One attempt turns SDK retries off: a concurrency test then measures DynamoDB, not a resent
    request, and a fault test sees exactly the answer it injected. `total_max_attempts`, because
    botocore reads `max_attempts` in a client Config as the number of *retries*. 64 connections.
    """

    def build(attempts: int) -> "DynamoDBClient":
        config = Config(
            retries={"mode": "standard", "total_max_attempts": attempts},
            read_timeout=60,
            max_pool_connections=64,
        )
        return boto3.client("dynamodb", endpoint_url=local_dynamo.url, config=config)

    return build


@pytest.fixture(autouse=True)
def layer_on_dynamodb_local(
    local_dynamo: LocalDynamo, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Point the layer's own client (botocore reads the env var) at the emulator, per test.

    Not per session: the variable would outlive these tests and send the later moto tests to
    DynamoDB Local, since `mock_aws` does not intercept a custom endpoint.
    """
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", local_dynamo.url)
    forget_function_singletons()
    yield
    forget_function_singletons()  # no cached client may outlive the endpoint it was built for
