"""The operations commands find the local stack where `make run` serves it."""

from urllib.parse import urlsplit

from warehouse_devstack.stack import StackOptions
from warehouse_ops.stacks import LOCAL_DYNAMODB, LOCAL_SQS


def test_the_local_endpoints_are_the_local_stacks_default_ports() -> None:
    defaults = StackOptions()
    assert urlsplit(LOCAL_DYNAMODB).port == defaults.dynamodb_port
    assert urlsplit(LOCAL_SQS).port == defaults.sqs_port
    assert {urlsplit(LOCAL_DYNAMODB).hostname, urlsplit(LOCAL_SQS).hostname} == {defaults.host}
