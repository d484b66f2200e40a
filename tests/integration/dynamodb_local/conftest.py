"""One DynamoDB Local per session, tables from template.yaml, the handlers' clients pointed at it.

These tests exist because moto does not emulate concurrency, transactions and streams faithfully,
so a fallback to moto's server is a failure here, not a skip.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
import pytest

from tests.conftest import reset_caches
from warehouse_devstack.dynamodb_local import dynamodb_local, free_port
from warehouse_devstack.tables import create_tables
from warehouse_devstack.template import Template
from warehouse_inventory.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient


@dataclass(frozen=True)
class LocalDynamo:
    """What a test needs to act on DynamoDB Local and to check the table's stream (the outbox)."""

    client: "DynamoDBClient"
    streams: "DynamoDBStreamsClient"
    table_name: str
    stream_arn: str


@pytest.fixture(scope="session")
def local_dynamo(template: Template, function_environment: dict[str, str]) -> Iterator[LocalDynamo]:
    """Start the emulator once; the env var makes the layer's own client (botocore) use it."""
    with dynamodb_local(free_port()) as endpoint, pytest.MonkeyPatch.context() as env:
        if endpoint.engine != "dynamodb-local":
            pytest.fail(f"DynamoDB Local did not start (got {endpoint.engine}): needs Java 17")
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint.url)
        reset_caches()
        client = boto3.client("dynamodb", endpoint_url=endpoint.url)
        create_tables(client, template)
        table_name = get_settings().table_name
        stream_arn = client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams", endpoint_url=endpoint.url)
        yield LocalDynamo(client, streams, table_name, stream_arn)
    reset_caches()  # no cached client may outlive the emulator it points at
