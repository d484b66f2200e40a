"""AWS clients, created lazily once per container (never at import time, never per request)."""

import threading
from functools import cache
from typing import TYPE_CHECKING

from warehouse_inventory.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_lock = threading.Lock()


@cache
def dynamodb_client() -> "DynamoDBClient":
    """Standard retry mode, timeouts well below the function timeout.

    The lock matters only in the local stack, where threads share one process: boto3's default
    session is not safe to build concurrently.
    """
    import boto3
    from botocore.config import Config

    timeout = get_settings().aws_timeout_seconds
    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=timeout,
        read_timeout=timeout,
        max_pool_connections=32,  # one per thread of the local stack; Lambda uses one
    )
    with _lock:
        return boto3.client("dynamodb", config=config)
