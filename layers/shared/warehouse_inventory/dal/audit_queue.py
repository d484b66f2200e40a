"""The audit queue's sending side, for the outbox relay: stock-record changes from the inventory
table's stream become Movement messages on the audit queue, sent in batches of ten.

Every stock write carries `last_movement`, so a record's new image says who did
what and why, and the old image gives the delta: no second source of truth, no dual write.

Written by hand rather than with Powertools' BatchProcessor, which handles one record at a
time: the relay sends ten per SendMessageBatch call.

A record is done once its movement is on the audit queue, or, when it can never get there (it
does not parse, or SQS refuses the message for its content), once the record itself is on the
relay's dead-letter queue with the reason: otherwise the stream would retry it until it expires
(24 h) while every record behind it on the shard waited. Any other failure (throttling, network,
5xx) reports the first record not done: Lambda retries from that sequence number, so nothing is
skipped, and anything resent after it is deduplicated by the consumer's conditional put.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from warehouse_inventory.dal.dynamodb import error_code, from_item
from warehouse_inventory.dal.stream_records import (
    PARSE_ERRORS,
    StreamRecord,
    is_stock_write,
    sequence_number,
    without_images,
)
from warehouse_inventory.domain.stock import MovementType, movement_id
from warehouse_inventory.observability import logger, metrics
from warehouse_inventory.schemas.dead_letter import DeadLetter
from warehouse_inventory.schemas.movements import MovementMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_BATCH = 10
SQS_MAX_BODY_BYTES = 262_144  # every queue takes this much (the maximum can be set higher)
# Whole-call refusals about the messages, not naming the one at fault (codes may carry a
# `AWS.SimpleQueueService.` prefix): the batch is resent one message at a time to find it.
CONTENT_ERROR_CODES = frozenset({"InvalidMessageContents", "BatchRequestTooLong"})


class Delivery(Enum):
    SENT = "sent"
    RETRY = "retry"  # a passing failure: Lambda retries from this record


@dataclass(frozen=True)
class Refused:
    """The record can never become an audit message: it goes to the dead-letter queue."""

    reason: str


Outcome = Delivery | Refused


def is_stock_change(record: StreamRecord) -> bool:
    """INSERT/MODIFY of a stock record (the event source's filter already keeps only those;
    checked again so a misconfigured filter cannot leak). A record too malformed to tell counts
    as one: it is dead-lettered, never silently dropped."""
    try:
        return is_stock_write(record)
    except PARSE_ERRORS:
        return True


def movement_from_change(
    new_image: dict[str, Any], old_image: dict[str, Any] | None
) -> MovementMessage:
    """`new_image`/`old_image` in DynamoDB JSON, as a NEW_AND_OLD_IMAGES stream record has them."""
    new = from_item(new_image)
    old = from_item(old_image) if old_image else {}
    last = new["last_movement"]
    version = int(new["version"])
    location = new.get("location_code")
    quantity = int(new["quantity"])
    return MovementMessage(
        movement_id=movement_id(new["sku"], location, version),
        type=MovementType(last["type"]),
        sku=new["sku"],
        location_code=location,
        delta=quantity - int(old.get("quantity", 0)),
        quantity_after=quantity,
        actor=last["actor"],
        reason=last.get("reason"),
        reference=last.get("reference"),
        request_id=last["request_id"],
        occurred_at=datetime.fromisoformat(last["occurred_at"]),
        version=version,
        transfer_id=last.get("transfer_id"),
    )


def message_of(record: StreamRecord) -> str | Refused:
    """The audit queue message of a stream record, or why there cannot be one."""
    try:
        change = record["dynamodb"]
        movement = movement_from_change(change["NewImage"], change.get("OldImage"))
    except PARSE_ERRORS as error:
        return Refused(f"the stream record does not parse: {error!r}")
    return queue_body(movement)


def queue_body(message: BaseModel) -> str:
    """The one way the audit pipeline writes an SQS message body: the message's JSON with every
    non-ASCII character escaped (`\\uXXXX`, a surrogate pair above U+FFFF), control characters
    included. SQS refuses bodies holding U+FFFE, U+FFFF or most C0 controls, which stored text
    may hold (written before the API refused them, or by another tool). Any JSON parser reads the
    escapes back into the same text."""
    return json.dumps(message.model_dump(mode="json"), ensure_ascii=True, separators=(",", ":"))


def is_content_error(error: ClientError) -> bool:
    code = error_code(error)
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

    def send(self, records: list[StreamRecord]) -> str | None:
        """Send the stock changes among `records` in order, ten at a time; the sequence number of
        the first record not done."""
        records = [record for record in records if is_stock_change(record)]
        for start in range(0, len(records), SQS_BATCH):
            chunk = records[start : start + SQS_BATCH]
            for record, outcome in zip(chunk, self._send_chunk(chunk), strict=True):
                if outcome is Delivery.RETRY:
                    return sequence_number(record)
                if isinstance(outcome, Refused) and not self._dead_letter(record, outcome.reason):
                    return sequence_number(record)
        return None

    def _send_chunk(self, chunk: list[StreamRecord]) -> list[Outcome]:
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

    def _dead_letter(self, record: StreamRecord, reason: str) -> bool:
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
