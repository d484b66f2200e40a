"""The outbox relay: stock-record changes from the inventory table's stream become Movement
messages on the audit queue, sent in batches of ten.

Written by hand rather than with Powertools' BatchProcessor, which handles one record at a
time: the relay sends ten per SendMessageBatch call.

A record is done once its movement is on the audit queue, or, when it can never get there (it
does not parse, or SQS refuses the message for its content), once the record itself is on the
relay's dead-letter queue with the reason: otherwise the stream would retry it until it expires
(24 h) while every record behind it on the shard waited. Any other failure (throttling, network,
5xx) reports the first record not done: Lambda retries from that sequence number, so nothing is
skipped, and anything resent after it is deduplicated by the consumer's conditional put.
"""

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from warehouse_inventory.dal.queue_body import queue_body
from warehouse_inventory.observability import logger, metrics
from warehouse_inventory.schemas.dead_letter import DeadLetter
from warehouse_inventory.schemas.movements import movement_from_change

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_BATCH = 10
SQS_MAX_BODY_BYTES = 262_144  # every queue takes this much (the maximum can be set higher)
STOCK_SK_PREFIX = "STOCK#"
# Whole-call refusals about the messages, not naming the one at fault (codes may carry a
# `AWS.SimpleQueueService.` prefix): the batch is resent one message at a time to find it.
CONTENT_ERROR_CODES = frozenset({"InvalidMessageContents", "BatchRequestTooLong"})
# What a stream record that is not what the relay expects raises while it is read.
PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError)

Record = dict[str, Any]


class Delivery(Enum):
    SENT = "sent"
    RETRY = "retry"  # a passing failure: Lambda retries from this record


@dataclass(frozen=True)
class Refused:
    """The record can never become an audit message: it goes to the dead-letter queue."""

    reason: str


Outcome = Delivery | Refused


def is_stock_change(record: Record) -> bool:
    """INSERT/MODIFY of a stock record (the event source's filter already keeps only those;
    checked again so a misconfigured filter cannot leak). A record too malformed to tell counts
    as one: it is dead-lettered, never silently dropped."""
    try:
        sort_key = record["dynamodb"]["Keys"]["sk"]["S"]
        return record["eventName"] in {"INSERT", "MODIFY"} and sort_key.startswith(STOCK_SK_PREFIX)
    except PARSE_ERRORS:
        return True


def message_of(record: Record) -> str | Refused:
    """The audit queue message of a stream record, or why there cannot be one."""
    try:
        change = record["dynamodb"]
        movement = movement_from_change(change["NewImage"], change.get("OldImage"))
    except PARSE_ERRORS as error:
        return Refused(f"the stream record does not parse: {error!r}")
    return queue_body(movement)


def sequence_number(record: Record) -> str:
    """The record's position on its shard; "" (Lambda then retries the whole batch) for a
    record without one."""
    try:
        return str(record["dynamodb"]["SequenceNumber"])
    except PARSE_ERRORS:
        return ""


def is_content_error(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code.rsplit(".", 1)[-1] in CONTENT_ERROR_CODES


def refused_for_content(failure: Any) -> bool:
    """A failed batch entry that no retry can send. SQS marks the caller's faults; a KMS code is
    about the queue's key (disabled, denied, throttled), which guards the dead-letter queue too:
    retried, not dead-lettered."""
    return bool(failure["SenderFault"]) and not str(failure["Code"]).startswith("KMS.")


class AuditQueueSender:
    def __init__(self, client: "SQSClient", queue_url: str, dead_letter_url: str) -> None:
        self._client = client
        self._queue_url = queue_url
        self._dead_letter_url = dead_letter_url

    def send(self, records: list[Record]) -> str | None:
        """Send in order, ten at a time; the sequence number of the first record not done."""
        for start in range(0, len(records), SQS_BATCH):
            chunk = records[start : start + SQS_BATCH]
            for record, outcome in zip(chunk, self._send_chunk(chunk), strict=True):
                if outcome is Delivery.RETRY:
                    return sequence_number(record)
                if isinstance(outcome, Refused) and not self._dead_letter(record, outcome.reason):
                    return sequence_number(record)
        return None

    def _send_chunk(self, chunk: list[Record]) -> list[Outcome]:
        messages = [message_of(record) for record in chunk]
        bodies = {index: body for index, body in enumerate(messages) if isinstance(body, str)}
        sent = self._send_bodies(bodies) if bodies else {}
        return [
            sent[index] if isinstance(message, str) else message
            for index, message in enumerate(messages)
        ]

    def _send_bodies(self, bodies: dict[int, str]) -> dict[int, Outcome]:
        entries = [{"Id": str(index), "MessageBody": body} for index, body in bodies.items()]
        try:
            response = self._client.send_message_batch(
                QueueUrl=self._queue_url,
                Entries=entries,  # type: ignore[arg-type]
            )
        except ClientError as error:
            if not is_content_error(error):
                logger.exception("audit queue send failed", extra={"records": len(bodies)})
                return dict.fromkeys(bodies, Delivery.RETRY)
            if len(bodies) == 1:
                return dict.fromkeys(bodies, Refused(f"SQS refused the message: {error}"))
            outcomes: dict[int, Outcome] = {}
            for index, body in bodies.items():
                outcomes |= self._send_bodies({index: body})
            return outcomes
        except BotoCoreError:
            logger.exception("audit queue send failed", extra={"records": len(bodies)})
            return dict.fromkeys(bodies, Delivery.RETRY)
        return dict.fromkeys(bodies, Delivery.SENT) | self._failed_entries(response)

    def _failed_entries(self, response: Any) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        for failure in response.get("Failed", []):
            outcomes[int(failure["Id"])] = (
                Refused(f"SQS refused the message: {failure['Code']}: {failure.get('Message')}")
                if refused_for_content(failure)
                else Delivery.RETRY
            )
        if outcomes:
            codes = sorted({str(failure["Code"]) for failure in response["Failed"]})
            logger.error("audit queue refused messages", extra={"codes": codes})
        return outcomes

    def _dead_letter(self, record: Record, reason: str) -> bool:
        """Put the record on the dead-letter queue; False if that failed (Lambda retries)."""
        body = queue_body(DeadLetter(reason=reason, record=record))
        if len(body.encode()) > SQS_MAX_BODY_BYTES:  # a stock record never is; kept findable
            reason += "; the images are left out (too large): read the table or its backups"
            body = queue_body(DeadLetter(reason=reason, record=without_images(record)))
        try:
            self._client.send_message(QueueUrl=self._dead_letter_url, MessageBody=body)
        except (ClientError, BotoCoreError):
            logger.exception("relay dead-letter queue send failed")
            return False
        logger.error(
            "stream record dead-lettered",
            extra={"sequence_number": sequence_number(record), "reason": reason},
        )
        metrics.add_metric(name="RelayDeadLetters", unit=MetricUnit.Count, value=1)
        return True


def without_images(record: Record) -> Record:
    """The record's keys, sequence number and times, without the item images."""
    change = record.get("dynamodb")
    if not isinstance(change, dict):
        return {key: value for key, value in record.items() if key != "dynamodb"}
    images = {"NewImage", "OldImage"}
    return record | {"dynamodb": {key: value for key, value in change.items() if key not in images}}


def relay(event: dict[str, Any], sender: AuditQueueSender) -> dict[str, Any]:
    records = [record for record in event.get("Records", []) if is_stock_change(record)]
    first_not_done = sender.send(records)
    failures = [] if first_not_done is None else [{"itemIdentifier": first_not_done}]
    return {"batchItemFailures": failures}
