"""SQS queue → function, as Lambda's event source mapping does it, against moto's SQS server.

One long poll (up to BatchSize messages, at most the 10 one ReceiveMessage returns) is one batch;
MaximumBatchingWindowInSeconds is not waited out locally, so a message reaches the function as
soon as it is received. Like Lambda, several batches are in flight at once (five, or the
mapping's ScalingConfig.MaximumConcurrency). Messages the mapping's `FilterCriteria` rejects
are deleted unprocessed, as Lambda deletes them. After the invocation every message that did not
fail is deleted; the failed ones stay on the queue, and moto's server moves a message to the
dead-letter queue once it has been received maxReceiveCount times (the queue's RedrivePolicy), as
SQS does.
"""

import base64
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warehouse_devstack.event_sources.filters import matches_any
from warehouse_devstack.event_sources.mappings import QueueSource
from warehouse_devstack.event_sources.poller_base import (
    REGION,
    Invocation,
    Poller,
    Result,
    call,
    reported_failures,
)

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueOutputTypeDef, MessageTypeDef

logger = logging.getLogger(__name__)

RECEIVE_LIMIT = 10  # ReceiveMessage's own maximum
WAIT_SECONDS = 1  # long poll; also bounds how long stopping the stack waits for this thread
# Lambda leaves a failed message invisible for the rest of the queue's visibility timeout (180 s
# for the audit queue) before it is received again. Locally it comes back after about a second,
# so retries and the redrive to the dead-letter queue can be watched in seconds.
REDELIVERY_SECONDS = 1


@dataclass(frozen=True)
class Received:
    message_id: str
    receipt_handle: str
    record: dict[str, Any]


def lambda_attribute(value: "MessageAttributeValueOutputTypeDef") -> dict[str, Any]:
    """A message attribute as Lambda's SQS event spells it (camelCase, binaries in base64)."""
    attribute: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [
            base64.b64encode(item).decode() for item in value.get("BinaryListValues", [])
        ],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


def event_record(message: "MessageTypeDef", queue_arn: str) -> dict[str, Any]:
    """A received message in the shape of a record of Lambda's SQS event."""
    attributes = message.get("MessageAttributes", {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {name: lambda_attribute(value) for name, value in attributes.items()},
        "md5OfMessageAttributes": message.get("MD5OfMessageAttributes"),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def filter_view(record: dict[str, Any]) -> dict[str, Any]:
    """What a filter pattern sees: Lambda parses a JSON body so patterns can reach into it."""
    try:
        return record | {"body": json.loads(record["body"])}
    except ValueError:
        return record


def _chunks(items: list[Received]) -> Iterator[list[Received]]:
    for start in range(0, len(items), RECEIVE_LIMIT):
        yield items[start : start + RECEIVE_LIMIT]


class QueuePoller(Poller):
    """Several batches in flight, as Lambda's SQS pollers; their receives take turns, because
    moto's ReceiveMessage is not safe for concurrent receivers of one queue (both could get the
    same message)."""

    def __init__(self, source: QueueSource, sqs: "SQSClient") -> None:
        super().__init__(name=f"sqs:{source.function.logical_id}", workers=source.concurrency)
        self.source = source
        self._sqs = sqs
        self._receiving = threading.Lock()

    def describe(self) -> str:
        name = self.source.queue_url.rsplit("/", 1)[1]
        source = self.source
        return (
            f"SQS {name} -> {source.function.logical_id} "
            f"(batch {source.batch_size}, {source.concurrency} concurrent)"
        )

    def poll_once(self) -> None:
        received = self._receive()
        wanted = [m for m in received if matches_any(self.source.filters, filter_view(m.record))]
        self._delete([m for m in received if m not in wanted])
        if wanted:
            self._deliver(wanted)

    def _receive(self) -> list[Received]:
        with self._receiving:
            if self.stopping.is_set():  # the others waited for this turn: stop promptly
                return []
            response = self._sqs.receive_message(
                QueueUrl=self.source.queue_url,
                MaxNumberOfMessages=min(self.source.batch_size, RECEIVE_LIMIT),
                WaitTimeSeconds=WAIT_SECONDS,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
        return [
            Received(m["MessageId"], m["ReceiptHandle"], event_record(m, self.source.queue_arn))
            for m in response.get("Messages", [])
        ]

    def _deliver(self, messages: list[Received]) -> None:
        result = call(self.source.function, {"Records": [m.record for m in messages]})
        ids = [message.message_id for message in messages]
        failed = self._failed(result, ids)
        self.record(
            Invocation(
                function=self.source.function.logical_id,
                source="sqs",
                record_ids=tuple(ids),
                failed_ids=tuple(i for i in ids if i in failed),
                error=result.error,
                duration_ms=result.duration_ms,
            )
        )
        self._delete([m for m in messages if m.message_id not in failed])
        self._redeliver_soon([m for m in messages if m.message_id in failed])

    def _failed(self, result: Result, ids: list[str]) -> set[str]:
        """An exception or an invalid response fails the whole batch; without
        ReportBatchItemFailures the response is not read."""
        if result.error:
            return set(ids)
        if not self.source.report_batch_item_failures:
            return set()
        identifiers = reported_failures(result)
        if identifiers is None or any(item not in ids for item in identifiers):
            return set(ids)
        return set(identifiers)

    def _delete(self, messages: list[Received]) -> None:
        for chunk in _chunks(messages):
            response = self._sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m.receipt_handle} for i, m in enumerate(chunk)
                ],
            )
            for failure in response.get("Failed", []):
                logger.warning("could not delete a message: %s", failure.get("Message"))

    def _redeliver_soon(self, messages: list[Received]) -> None:
        for chunk in _chunks(messages):
            self._sqs.change_message_visibility_batch(
                QueueUrl=self.source.queue_url,
                Entries=[
                    {
                        "Id": str(i),
                        "ReceiptHandle": m.receipt_handle,
                        "VisibilityTimeout": REDELIVERY_SECONDS,
                    }
                    for i, m in enumerate(chunk)
                ],
            )
