"""What the operations commands (admin_token, rebuild_projections, redrive_audit) share: reaching
the local stack or a deployed one, and finding a deployed stack's resources."""

import os
from typing import Any

import boto3

LOCAL_DYNAMODB = "http://127.0.0.1:8000"
LOCAL_SQS = "http://127.0.0.1:9324"
"""Where `make run` serves DynamoDB Local and SQS (the local stack's default ports)."""


def session_for(local: bool, region: str | None) -> boto3.session.Session:
    """The local stack takes any credentials (placeholders when none are set) in us-east-1; a
    deployed stack gets the SDK's own configuration."""
    if local:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    return boto3.session.Session(region_name=region or ("us-east-1" if local else None))


def physical_resource_id(cloudformation: Any, stack_name: str, logical_id: str) -> str:
    """A stack resource's physical id: a table's name, a queue's URL (`cloudformation`: a boto3
    client)."""
    response = cloudformation.describe_stack_resource(
        StackName=stack_name, LogicalResourceId=logical_id
    )
    return str(response["StackResourceDetail"]["PhysicalResourceId"])
