"""Records of the events Lambda delivers, shaped as Lambda shapes them."""

import uuid
from typing import Any


def sqs_record(body: str) -> dict[str, Any]:
    """One message of an SQS event, as the audit consumer receives it."""
    message_id = str(uuid.uuid4())
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1",
            "SenderId": "x",
            "ApproximateFirstReceiveTimestamp": "1",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:AuditQueue",
        "awsRegion": "us-east-1",
    }
