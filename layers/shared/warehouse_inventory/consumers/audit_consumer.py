"""The audit consumer's Lambda handler: Movement messages from the audit queue into the audit
table.

Powertools' BatchProcessor parses each message into the shared MovementMessage model and reports
partial failures, so a malformed message fails alone and, after maxReceiveCount, ends in the
DLQ. A duplicate delivery is a no-op. A missing previous version is reported (log + metric) but
does not block: with a standard queue it may simply not have arrived yet.
"""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

from warehouse_inventory.observability import logger, metrics, traced
from warehouse_inventory.schemas.movements import MovementMessage
from warehouse_inventory.wiring import audit_repository

if TYPE_CHECKING:
    from warehouse_inventory.services.ports import AuditLog


class MovementRecord(SqsRecordModel):
    body: Json[MovementMessage]


def write_movement(movement: MovementMessage, repository: "AuditLog") -> None:
    if not repository.record(movement):
        logger.info("duplicate delivery ignored", extra={"movement_id": movement.movement_id})
        return
    lag_ms = (datetime.now(UTC) - movement.occurred_at).total_seconds() * 1000
    metrics.add_metric(name="AuditLag", unit=MetricUnit.Milliseconds, value=max(lag_ms, 0))
    previous = movement.previous_movement_id()
    if previous and not repository.exists(previous):
        logger.warning(
            "audit gap: previous version not (yet) recorded",
            extra={"movement_id": movement.movement_id, "missing": previous},
        )
        metrics.add_metric(name="AuditGaps", unit=MetricUnit.Count, value=1)


def consume(
    event: dict[str, Any], context: LambdaContext | None, repository: "AuditLog"
) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.SQS, model=MovementRecord)

    def handle(record: MovementRecord) -> None:
        write_movement(record.body, repository)

    response = process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
    return dict(response)


@traced
@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, audit_repository())
