"""One stream record cannot stall the audit trail: the relay's message bodies are safe for SQS, and
a record that cannot become an audit message (it does not parse, or SQS refuses it for its
content) goes to the relay's dead-letter queue with what is needed to replay it, while the
records behind it go on. Passing failures still make Lambda retry. moto's SQS checks no message
content, so SQS's rule and the refusals are injected (tests/support/sqs_faults.py)."""

import io
import json
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from tests.support.api import Api
from tests.support.audit_pipeline import drain, queue_url, stock_image, stream_record
from tests.support.emf_metrics import emitted, expected_dimensions, metric_values
from tests.support.lambda_events import sqs_record
from tests.support.sqs_faults import SQS_ALLOWED_BODY, Failure, SqsFaults
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import Template
from warehouse_inventory.dal.clients import sqs_client
from warehouse_inventory.domain.history import MovementFilter
from warehouse_inventory.wiring import audit_repository
from warehouse_ops.redrive_audit import parse_args, queue_urls, run

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DEAD_LETTERS = "RelayDeadLetterQueue"


@pytest.fixture
def relay(template: Template) -> Any:
    return lambda records: invoke(template.function("StreamRelayFunction"), {"Records": records})


@pytest.fixture
def consume(template: Template) -> Any:
    return lambda records: invoke(template.function("AuditConsumerFunction"), {"Records": records})


@pytest.fixture(autouse=True)
def empty_queues(dynamodb: "DynamoDBClient") -> Iterator[None]:
    for name in ("AuditQueue", DEAD_LETTERS):
        drain(name)
    yield
    for name in ("AuditQueue", DEAD_LETTERS):
        drain(name)


def history(sku: str, versions: range, **last_movement: str) -> list[dict[str, Any]]:
    """Stream records of one stock record, one per version (quantity = version)."""
    records = []
    for v in versions:
        new = stock_image(sku, v, v)
        new["last_movement"]["M"] |= {key: {"S": value} for key, value in last_movement.items()}
        records.append(stream_record(v, "MODIFY", new, stock_image(sku, v - 1, v - 1)))
    return records


def refuse(marker: str, code: str = "InvalidMessageContents", sender_fault: bool = True) -> Any:
    """A rule refusing, on the audit queue, every message that mentions `marker`."""

    def rule(queue: str, body: str) -> Failure | None:
        if queue == "AuditQueue" and marker in body:
            return Failure(code, sender_fault)
        return None

    return rule


def versions_of(bodies: list[str]) -> list[int]:
    return [json.loads(body)["version"] for body in bodies]


def dead_letters() -> list[dict[str, Any]]:
    return [json.loads(message["Body"]) for message in drain(DEAD_LETTERS)]


def test_text_sqs_would_refuse_reaches_the_audit_log_unchanged(relay: Any, consume: Any) -> None:
    """Text stored before the API refused noncharacters (or written by another tool) is escaped,
    and the consumer reads back exactly what the stock record holds."""
    sku = "TXT" + uuid.uuid4().hex[:6].upper()
    text = {"reference": "PO-\ufffe-\uffff-\x00-北-😀", "actor": "scanner\U0010ffff"}
    with SqsFaults(sqs_client()) as faults:
        assert relay(history(sku, range(2, 3), **text)) == {"batchItemFailures": []}
    (body,) = faults.sent["AuditQueue"]
    assert body.isascii() and SQS_ALLOWED_BODY.fullmatch(body)
    (message,) = drain()
    assert consume([sqs_record(message["Body"])]) == {"batchItemFailures": []}
    (item,) = audit_repository().newest_first(MovementFilter(sku), 10, None).items
    assert (item.reference, item.actor) == (text["reference"], text["actor"])


@pytest.mark.usefixtures("metrics_on")
def test_a_refused_record_is_dead_lettered_and_the_records_behind_it_are_sent_in_order(
    relay: Any, template: Template, capsys: pytest.CaptureFixture[str]
) -> None:
    sku, poison = "ORD" + uuid.uuid4().hex[:6].upper(), "PSN" + uuid.uuid4().hex[:6].upper()
    records = history(sku, range(2, 14))
    records[4:4] = history(poison, range(7, 8))  # the fifth record of 13
    capsys.readouterr()
    with SqsFaults(sqs_client(), [refuse(poison)]) as faults:
        assert relay(records) == {"batchItemFailures": []}
    assert versions_of(faults.sent["AuditQueue"]) == list(range(2, 14))
    (letter,) = dead_letters()
    assert letter["record"] == records[4]
    assert "InvalidMessageContents" in letter["reason"]
    counted = metric_values(emitted(capsys.readouterr().out), "RelayDeadLetters")
    assert counted == [(expected_dimensions(template), [1.0])]


def test_a_record_that_does_not_parse_is_dead_lettered(relay: Any) -> None:
    sku = "MAL" + uuid.uuid4().hex[:6].upper()
    records = history(sku, range(2, 6))
    del records[1]["dynamodb"]["NewImage"]["last_movement"]
    records[2]["dynamodb"]["NewImage"]["quantity"] = {"N": "not a number"}
    with SqsFaults(sqs_client()) as faults:
        assert relay(records) == {"batchItemFailures": []}
    assert versions_of(faults.sent["AuditQueue"]) == [2, 5]
    letters = dead_letters()
    assert [letter["record"] for letter in letters] == records[1:3]
    assert "last_movement" in letters[0]["reason"]


def test_a_call_refused_as_a_whole_for_its_content_is_resent_one_message_at_a_time(
    relay: Any,
) -> None:
    """SQS may refuse a whole batch (BatchRequestTooLong) without naming the message."""
    sku, poison = "WHO" + uuid.uuid4().hex[:6].upper(), "BIG" + uuid.uuid4().hex[:6].upper()
    records = history(sku, range(2, 5)) + history(poison, range(2, 3)) + history(sku, range(5, 7))

    def too_long(queue: str, body: str) -> Failure | None:
        if queue == "AuditQueue" and poison in body:
            return Failure("AWS.SimpleQueueService.BatchRequestTooLong", True, whole_call=True)
        return None

    with SqsFaults(sqs_client(), [too_long]) as faults:
        assert relay(records) == {"batchItemFailures": []}
    assert versions_of(faults.sent["AuditQueue"]) == [2, 3, 4, 5, 6]
    (letter,) = dead_letters()
    assert letter["record"] == records[3]
    assert "BatchRequestTooLong" in letter["reason"]


def test_a_passing_entry_failure_makes_lambda_retry_from_that_record(relay: Any) -> None:
    """Before it: sent or dead-lettered; from it on: left for the retry (nothing dead-lettered
    that the retry will see again)."""
    sku = "TRN" + uuid.uuid4().hex[:6].upper()
    records = history(sku, range(2, 27))
    poison_early, poison_late = "PSA" + sku[3:], "PSB" + sku[3:]
    records[3] = history(poison_early, range(5, 6))[0]
    records[20] = history(poison_late, range(22, 23))[0]

    def busy(queue: str, body: str) -> Failure | None:
        if queue == "AuditQueue" and json.loads(body)["version"] == 14:
            return Failure("InternalError", sender_fault=False)
        return None

    with SqsFaults(sqs_client(), [refuse(poison_early), refuse(poison_late), busy]):
        response = relay(records)
    assert response == {"batchItemFailures": [{"itemIdentifier": "14"}]}
    assert [letter["record"] for letter in dead_letters()] == [records[3]]


def test_an_unreachable_dead_letter_queue_makes_lambda_retry_from_the_refused_record(
    relay: Any,
) -> None:
    sku, poison = "DLQ" + uuid.uuid4().hex[:6].upper(), "PSN" + uuid.uuid4().hex[:6].upper()
    records = history(sku, range(2, 5)) + history(poison, range(9, 10)) + history(sku, range(5, 7))

    def dead_letter_queue_down(queue: str, body: str) -> Failure | None:
        return Failure("ServiceUnavailable", False) if queue == DEAD_LETTERS else None

    with SqsFaults(sqs_client(), [refuse(poison), dead_letter_queue_down]):
        assert relay(records) == {"batchItemFailures": [{"itemIdentifier": "9"}]}


def test_a_throttled_call_still_reports_the_first_unsent_record(relay: Any) -> None:
    sku = "THR" + uuid.uuid4().hex[:6].upper()
    records = history(sku, range(2, 15))

    def throttled(queue: str, body: str) -> Failure | None:
        if queue == "AuditQueue" and json.loads(body)["version"] >= 12:
            return Failure("RequestThrottled", False, whole_call=True)
        return None

    with SqsFaults(sqs_client(), [throttled]):
        assert relay(records) == {"batchItemFailures": [{"itemIdentifier": "12"}]}
    assert dead_letters() == []


def test_redrive_moves_dead_letters_to_the_audit_log_once_their_cause_is_fixed(
    relay: Any, consume: Any, api: Api
) -> None:
    sku, poison = "RDV" + uuid.uuid4().hex[:6].upper(), "RDP" + uuid.uuid4().hex[:6].upper()
    broken = history(sku, range(2, 3))
    del broken[0]["dynamodb"]["NewImage"]["last_movement"]["M"]["actor"]
    with SqsFaults(sqs_client(), [refuse(poison)]):
        assert relay(history(poison, range(2, 4)) + broken) == {"batchItemFailures": []}
    out = io.StringIO()
    assert run(sqs_client(), queue_url(DEAD_LETTERS), queue_url("AuditQueue"), out) == 1
    summary, kept_line = out.getvalue().splitlines()
    assert summary == "2 redriven to the audit queue, 1 kept"
    assert "actor" in kept_line
    assert consume([sqs_record(m["Body"]) for m in drain()]) == {"batchItemFailures": []}
    page = api.call("GET", "/reports/movements", query=f"sku={poison}", token="viewer")
    assert [m["movement_id"] for m in page.body["items"]] == [f"{poison}@A-1#{v}" for v in (3, 2)]
    (kept,) = dead_letters()  # visible again at once, for the alarm and the next run
    assert kept["record"] == broken[0]


def test_redrive_with_nothing_to_do_exits_0(dynamodb: "DynamoDBClient") -> None:
    out = io.StringIO()
    assert run(sqs_client(), queue_url(DEAD_LETTERS), queue_url("AuditQueue"), out) == 0
    assert out.getvalue() == "0 redriven to the audit queue, 0 kept\n"


def test_redrive_finds_the_local_stacks_queues_in_the_template() -> None:
    assert queue_urls(parse_args([]), boto3.session.Session()) == (
        queue_url(DEAD_LETTERS),
        queue_url("AuditQueue"),
    )
