"""The outbox relay: stock-record changes from the inventory table's stream become Movement
messages on the audit queue, sent in batches of ten.

Written by hand rather than with Powertools' BatchProcessor, which handles one record at a
time: the relay sends ten per SendMessageBatch call. A failure reports the first record not sent
(stream semantics: Lambda retries from that sequence number), so nothing is skipped; anything
resent after it is deduplicated by the consumer's conditional put.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from warehouse_inventory.audit.movements import MovementMessage, movement_from_change
from warehouse_inventory.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_BATCH = 10
STOCK_SK_PREFIX = "STOCK#"


@dataclass(frozen=True)
class Pending:
    sequence_number: str
    movement: MovementMessage


def movements_of(event: dict[str, Any]) -> Iterator[Pending]:
    """The stock-record changes of a stream batch (the event source's filter already keeps only
    INSERT/MODIFY of stock records; checked again so a misconfigured filter cannot leak)."""
    for record in event.get("Records", []):
        change = record["dynamodb"]
        if record.get("eventName") not in {"INSERT", "MODIFY"}:
            continue
        if not change["Keys"]["sk"]["S"].startswith(STOCK_SK_PREFIX):
            continue
        movement = movement_from_change(change["NewImage"], change.get("OldImage"))
        yield Pending(change["SequenceNumber"], movement)


class AuditQueueSender:
    def __init__(self, client: "SQSClient", queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def send(self, pending: list[Pending]) -> str | None:
        """Send in order, ten at a time; the sequence number of the first record not sent."""
        for start in range(0, len(pending), SQS_BATCH):
            chunk = pending[start : start + SQS_BATCH]
            entries = [
                {"Id": str(index), "MessageBody": item.movement.model_dump_json()}
                for index, item in enumerate(chunk)
            ]
            try:
                response = self._client.send_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=entries,  # type: ignore[arg-type]
                )
            except (ClientError, BotoCoreError):
                logger.exception("audit queue send failed", extra={"records": len(chunk)})
                return chunk[0].sequence_number
            failed = sorted(int(entry["Id"]) for entry in response.get("Failed", []))
            if failed:
                logger.error("audit queue refused messages", extra={"failed": len(failed)})
                return chunk[failed[0]].sequence_number
        return None


def relay(event: dict[str, Any], sender: AuditQueueSender) -> dict[str, Any]:
    pending = list(movements_of(event))
    first_unsent = sender.send(pending)
    failures = [{"itemIdentifier": first_unsent}] if first_unsent else []
    return {"batchItemFailures": failures}
