"""The local stack's SQS for `sam local` containers: on 127.0.0.1 and the Docker bridge."""

import socket

import boto3
import pytest

from warehouse_devstack.__main__ import container_hosts
from warehouse_devstack.backends.container_network import bridge_address
from warehouse_devstack.backends.dynamodb_local import free_port
from warehouse_devstack.backends.sqs_server import SqsPortInUse, sqs_server


def test_an_interface_s_address() -> None:
    assert bridge_address("lo") == "127.0.0.1"
    assert bridge_address("no-such-if") is None


@pytest.mark.parametrize(
    ("gateway", "hosts"),
    [(None, ()), ("none", ()), ("127.0.0.1", ()), ("172.17.0.1", ("172.17.0.1",))],
)
def test_the_container_gateway_option(gateway: str | None, hosts: tuple[str, ...]) -> None:
    assert container_hosts(gateway) == hosts


def test_every_listener_serves_the_same_queues() -> None:
    """127.0.0.2 stands in for the bridge: another local address, the same port."""
    with sqs_server(0, also_on=["127.0.0.2"]) as url:
        other = url.replace("127.0.0.1", "127.0.0.2")
        created = boto3.client("sqs", endpoint_url=url).create_queue(QueueName="Q")["QueueUrl"]
        sqs = boto3.client("sqs", endpoint_url=other)
        sqs.send_message(QueueUrl=created, MessageBody="hello")
        (message,) = boto3.client("sqs", endpoint_url=url).receive_message(QueueUrl=created)[
            "Messages"
        ]
        assert message["Body"] == "hello"


def test_a_taken_port_on_the_extra_address_is_refused_and_nothing_left_listening() -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.2", port))
        taken.listen()
        with pytest.raises(SqsPortInUse, match=r"127\.0\.0\.2"), sqs_server(port, ["127.0.0.2"]):
            pass
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the loopback listener was stopped
