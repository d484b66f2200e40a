"""AWS clients, created lazily once per container (never at import time, never per request)."""

import sys
import threading
from functools import cache
from typing import TYPE_CHECKING

from warehouse_inventory.settings import get_settings

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

_lock = threading.Lock()


def _config() -> "Config":
    from botocore.config import Config

    timeout = get_settings().aws_timeout_seconds
    return Config(
        # 3 attempts in all (botocore's `max_attempts` would count retries): with 2 s timeouts
        # and backoff they end well inside the functions' 10 s timeout.
        retries={"mode": "standard", "total_max_attempts": 3},
        connect_timeout=timeout,
        read_timeout=timeout,
        max_pool_connections=32,  # one per thread of the local stack; Lambda uses one
    )


@cache
def sqs_client() -> "SQSClient":
    import boto3

    with _lock:
        return boto3.client("sqs", config=_config())


@cache
def dynamodb_client() -> "DynamoDBClient":
    """Standard retry mode, timeouts well below the function timeout.

    The lock matters only in the local stack, where threads share one process: boto3's default
    session is not safe to build concurrently.
    """
    import boto3

    with _lock:
        return boto3.client("dynamodb", config=_config())


def forget_clients() -> None:
    """Drop the clients and boto3's default session (with the credentials it resolved): the next
    use builds them again. boto3 is not imported for this if nothing imported it yet."""
    dynamodb_client.cache_clear()
    sqs_client.cache_clear()
    if "boto3" in sys.modules:
        import boto3

        boto3.DEFAULT_SESSION = None
