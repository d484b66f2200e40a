"""The outbox relay's Lambda handler: the inventory table's stream -> the audit queue.

What is sent, in which batches, and what becomes a dead letter is the audit queue's side
(dal/audit_queue.py); the handler reports the first record not done, from which Lambda retries
the shard, so nothing is skipped.
"""

from typing import TYPE_CHECKING, Any

from warehouse_inventory.observability import logger, metrics, traced
from warehouse_inventory.wiring import audit_sender

if TYPE_CHECKING:
    from warehouse_inventory.services.ports import AuditOutbox


def relay(event: dict[str, Any], outbox: "AuditOutbox") -> dict[str, Any]:
    first_not_done = outbox.send(event.get("Records", []))
    failures = [] if first_not_done is None else [{"itemIdentifier": first_not_done}]
    return {"batchItemFailures": failures}


@traced
@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return relay(event, audit_sender())
