"""Creates the template's tables in a DynamoDB endpoint (DynamoDB Local, moto server or mock)."""

from typing import TYPE_CHECKING

from warehouse_devstack.template import Template

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


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
