"""Replays the relay's dead letters: each stored stream record is turned into its movement again,
with the code of the day, and sent to the audit queue; its dead letter is deleted only once the
movement is sent. A replay is idempotent (the consumer's conditional put on `movement_id`).

A dead letter that still cannot be sent stays, visible again at once (for the alarm and the next
run), and the report says why.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from warehouse_inventory.dal.audit_queue import Refused, message_of
from warehouse_inventory.schemas.dead_letter import DeadLetter

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

VISIBILITY_SECONDS = 120  # hidden from this run's later receives while it works


@dataclass
class RedriveReport:
    redriven: int = 0
    kept: list[str] = field(default_factory=list)  # "<message id>: <why>" per dead letter left


def redrive(
    client: "SQSClient", dead_letter_url: str, audit_queue_url: str, wait_seconds: int = 1
) -> RedriveReport:
    report, seen, kept_handles = RedriveReport(), set[str](), []
    while True:
        messages = client.receive_message(
            QueueUrl=dead_letter_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=VISIBILITY_SECONDS,
        ).get("Messages", [])
        new = [message for message in messages if message["MessageId"] not in seen]
        if not new:
            break
        for message in new:
            seen.add(message["MessageId"])
            problem = replay(client, message, audit_queue_url)
            if problem is None:
                client.delete_message(
                    QueueUrl=dead_letter_url, ReceiptHandle=message["ReceiptHandle"]
                )
                report.redriven += 1
            else:
                report.kept.append(f"{message['MessageId']}: {problem}")
                kept_handles.append(message["ReceiptHandle"])
    for handle in kept_handles:
        client.change_message_visibility(
            QueueUrl=dead_letter_url, ReceiptHandle=handle, VisibilityTimeout=0
        )
    return report


def replay(client: "SQSClient", message: Any, audit_queue_url: str) -> str | None:
    """Send the dead letter's movement to the audit queue; why not, if it could not be."""
    try:
        letter = DeadLetter.model_validate_json(message["Body"])
    except ValidationError as error:
        return f"not a relay dead letter: {error}"
    body = message_of(letter.record)
    if isinstance(body, Refused):
        return body.reason
    try:
        client.send_message(QueueUrl=audit_queue_url, MessageBody=body)
    except (ClientError, BotoCoreError) as error:
        return f"the audit queue refused it: {error}"
    return None
