"""Creates the template's tables and queues in an endpoint: DynamoDB Local or moto's server for
the local stack, `mock_aws` in tests."""

from typing import TYPE_CHECKING

from warehouse_devstack.template import Template

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient


def create_tables(client: "DynamoDBClient", template: Template) -> list[str]:
    """Create every table that does not exist yet; returns the names created."""
    existing = set(client.list_tables()["TableNames"])
    created = []
    for definition in template.table_definitions():
        if definition["TableName"] in existing:
            continue
        client.create_table(**definition)
        client.get_waiter("table_exists").wait(TableName=definition["TableName"])
        created.append(definition["TableName"])
    return created


def create_queues(client: "SQSClient", template: Template) -> list[str]:
    """Create every queue with its visibility timeout, retention and redrive policy."""
    return [
        client.create_queue(**definition)["QueueUrl"] for definition in template.queue_definitions()
    ]
