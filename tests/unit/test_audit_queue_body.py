"""What the relay puts on SQS holds only characters SQS accepts, whatever text a stock record
holds, and the audit consumer reads back exactly the values that were sent."""

from datetime import UTC, datetime

from hypothesis import example, given
from hypothesis import strategies as st

from tests.support.lambda_events import sqs_record
from tests.support.sqs_faults import SQS_ALLOWED_BODY
from tests.support.unicode_text import EDGES, UTF8_EDGES, any_text, stored_text
from warehouse_inventory.consumers.audit_consumer import MovementRecord
from warehouse_inventory.dal.audit_queue import queue_body
from warehouse_inventory.domain.stock import MovementType
from warehouse_inventory.schemas.dead_letter import DeadLetter
from warehouse_inventory.schemas.movements import MovementMessage


def movements(text: st.SearchStrategy[str]) -> st.SearchStrategy[MovementMessage]:
    """Every free-text field of the message drawn from `text`."""
    return st.builds(
        MovementMessage,
        movement_id=text,
        type=st.sampled_from(MovementType),
        sku=text,
        location_code=st.none() | text,
        delta=st.integers(),
        quantity_after=st.integers(),
        actor=text,
        reason=st.none() | text,
        reference=st.none() | text,
        request_id=text,
        occurred_at=st.datetimes(timezones=st.just(UTC)),
        version=st.integers(min_value=1),
        transfer_id=st.none() | text,
    )


EVERY_EDGE = MovementMessage(
    movement_id=UTF8_EDGES,
    type=MovementType.RESTOCK,
    sku=UTF8_EDGES,
    location_code=UTF8_EDGES,
    delta=-1,
    quantity_after=0,
    actor=UTF8_EDGES,
    reason=UTF8_EDGES,
    reference=UTF8_EDGES,
    request_id=UTF8_EDGES,
    occurred_at=datetime(2026, 12, 1, tzinfo=UTC),
    version=2,
    transfer_id=UTF8_EDGES,
)


@example(EVERY_EDGE)
@given(movements(stored_text))
def test_a_movement_body_is_safe_for_sqs_and_the_consumer_reads_the_same_movement(
    movement: MovementMessage,
) -> None:
    body = queue_body(movement)
    assert SQS_ALLOWED_BODY.fullmatch(body)
    assert MovementRecord.model_validate(sqs_record(body)).body == movement


@example(EVERY_EDGE.model_copy(update={"reference": EDGES}))
@given(movements(any_text))
def test_even_a_lone_surrogate_cannot_make_a_body_sqs_refuses(movement: MovementMessage) -> None:
    assert SQS_ALLOWED_BODY.fullmatch(queue_body(movement))


@given(reason=stored_text, reference=stored_text, actor=stored_text)
def test_a_dead_letter_keeps_the_stream_record_exactly(
    reason: str, reference: str, actor: str
) -> None:
    record = {
        "eventName": "MODIFY",
        "dynamodb": {
            "SequenceNumber": "7",
            "NewImage": {
                "last_movement": {"M": {"reference": {"S": reference}, "actor": {"S": actor}}},
                "quantity": {"N": "5"},
            },
        },
    }
    letter = DeadLetter(reason=reason, record=record, dead_lettered_at=datetime.now(UTC))
    body = queue_body(letter)
    assert SQS_ALLOWED_BODY.fullmatch(body)
    assert DeadLetter.model_validate_json(body) == letter
