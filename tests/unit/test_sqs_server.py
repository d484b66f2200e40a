"""The local stack's SQS: moto's server in a process of its own (the queues are not in the
stack's process, and the child is gone once the stack leaves), and there without moto's costly
retention check: a message past the queue's MessageRetentionPeriod is never received, and
receiving builds none of the queue's attributes for the messages it returns."""

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.sqs.models import SQSBackend, sqs_backends

from warehouse_devstack.backends.sqs_server import moto_servers, sqs_server

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def sqs() -> Iterator[Any]:
    """What the stack's SQS process runs, here in this process so the tests can reach moto."""
    with moto_servers(0) as port:
        yield boto3.client("sqs", endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION)


def test_the_stack_s_sqs_is_another_process_and_stops_with_it() -> None:
    with sqs_server(0) as url:
        sqs = boto3.client("sqs", endpoint_url=url, region_name=REGION)
        sqs.create_queue(QueueName="Elsewhere")
        assert "Elsewhere" not in sqs_backends[ACCOUNT][REGION].queues
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


def age_messages(queue_name: str, seconds: int) -> None:
    """Make the queue's messages look sent `seconds` earlier (moto keeps them in this process)."""
    for message in sqs_backends[ACCOUNT][REGION].queues[queue_name]._messages:
        message.sent_timestamp = int(message.sent_timestamp or 0) - seconds * 1000  # type: ignore[assignment]


def test_a_message_past_retention_is_not_received(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="Retained", Attributes={"MessageRetentionPeriod": "60"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    age_messages("Retained", 61)

    expired = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    sqs.send_message(QueueUrl=url, MessageBody="new")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]

    assert (expired, [message["Body"] for message in received]) == ([], ["new"])


def test_receiving_builds_no_queue_attributes(sqs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    url = sqs.create_queue(QueueName="Counted")["QueueUrl"]
    for number in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=str(number))
    built: list[str] = []
    original = SQSBackend.get_queue_attributes

    def counting(self: SQSBackend, queue_name: str, names: list[str]) -> dict[str, Any]:
        built.append(queue_name)
        return original(self, queue_name, names)

    monkeypatch.setattr(SQSBackend, "get_queue_attributes", counting)

    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]

    assert (len(received), built) == (5, [])
