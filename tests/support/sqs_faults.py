"""What SQS answers that moto does not: its message-content rule, and any failure a test injects.

A botocore hook on one client (`SqsFaults(client, rules)`, a context manager): before a send,
each message body goes through the rules, `(queue name, body) -> Failure | None`. A refused entry
of a SendMessageBatch is taken out of the request and answered in `Failed` (as SQS does, with
`SenderFault`); a `whole_call` failure, or a refused SendMessage, raises the ClientError SQS
would. Everything else reaches moto. `sent` records, per queue, the bodies that got through.
"""

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import ClientError

# SQS message bodies: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
SQS_ALLOWED_BODY = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


@dataclass(frozen=True)
class Failure:
    code: str
    sender_fault: bool
    message: str = "injected by the test"
    whole_call: bool = False  # the call fails (ClientError), not just the entry


Rule = Callable[[str, str], Failure | None]


def sqs_content_rule(queue: str, body: str) -> Failure | None:
    if SQS_ALLOWED_BODY.fullmatch(body):
        return None
    return Failure("InvalidMessageContents", True, "Message contains invalid characters")


def queue_name(params: dict[str, Any]) -> str:
    return str(params["QueueUrl"]).rsplit("/", 1)[1]


class SqsFaults:
    def __init__(self, client: Any, rules: list[Rule] | None = None) -> None:
        self._events = client.meta.events
        self.rules: list[Rule] = [sqs_content_rule, *(rules or [])]
        self.sent: dict[str, list[str]] = defaultdict(list)

    def failure(self, queue: str, body: str) -> Failure | None:
        return next((f for rule in self.rules if (f := rule(queue, body)) is not None), None)

    def __enter__(self) -> "SqsFaults":
        self._events.register("before-parameter-build.sqs.SendMessageBatch", self._batch)
        self._events.register("before-call.sqs.SendMessageBatch", self._answer_empty)
        self._events.register("after-call.sqs.SendMessageBatch", self._add_failed)
        self._events.register("before-parameter-build.sqs.SendMessage", self._single)
        return self

    def __exit__(self, *_: object) -> None:
        self._events.unregister("before-parameter-build.sqs.SendMessageBatch", self._batch)
        self._events.unregister("before-call.sqs.SendMessageBatch", self._answer_empty)
        self._events.unregister("after-call.sqs.SendMessageBatch", self._add_failed)
        self._events.unregister("before-parameter-build.sqs.SendMessage", self._single)

    def _batch(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        queue, accepted, failed = queue_name(params), [], []
        for entry in params["Entries"]:
            failure = self.failure(queue, entry["MessageBody"])
            if failure is not None and failure.whole_call:
                raise error(failure, "SendMessageBatch")
            if failure is None:
                accepted.append(entry)
                continue
            failed.append(
                {
                    "Id": entry["Id"],
                    "SenderFault": failure.sender_fault,
                    "Code": failure.code,
                    "Message": failure.message,
                }
            )
        params["Entries"] = accepted
        self.sent[queue] += [entry["MessageBody"] for entry in accepted]
        context["injected_failures"] = failed

    def _answer_empty(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> Any:
        """Every entry refused: SQS answers 200 with all of them in `Failed` (moto, given no
        entries, would refuse the empty batch)."""
        if context.get("injected_failures") and not json.loads(params["body"])["Entries"]:
            answer = AWSResponse(params["url"], 200, HTTPHeaders(), None)
            return answer, {"Successful": [], "Failed": []}
        return None

    def _add_failed(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        failed = context.get("injected_failures")
        if failed:
            parsed["Failed"] = list(parsed.get("Failed", [])) + failed

    def _single(self, params: dict[str, Any], **_: Any) -> None:
        queue = queue_name(params)
        failure = self.failure(queue, params["MessageBody"])
        if failure is not None:
            raise error(failure, "SendMessage")
        self.sent[queue].append(params["MessageBody"])


def error(failure: Failure, operation: str) -> ClientError:
    response: Any = {
        "Error": {
            "Code": failure.code,
            "Message": failure.message,
            "Type": "Sender" if failure.sender_fault else "Receiver",
        },
        "ResponseMetadata": {"HTTPStatusCode": 400 if failure.sender_fault else 500},
    }
    return ClientError(response, operation)
