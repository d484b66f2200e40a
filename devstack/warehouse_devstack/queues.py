"""Creates the template's SQS queues (moto's server locally, `mock_aws` in tests)."""

from typing import TYPE_CHECKING

from warehouse_devstack.template import Template

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


def create_queues(client: "SQSClient", template: Template) -> list[str]:
    """Create every queue with its visibility timeout, retention and redrive policy."""
    return [
        client.create_queue(**definition)["QueueUrl"] for definition in template.queue_definitions()
    ]
