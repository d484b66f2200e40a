"""Lambda handlers of the audit pipeline (stream relay, queue consumer), with Powertools."""

from typing import Any

from warehouse_inventory.consumers.audit_consumer import consume
from warehouse_inventory.dal.audit_queue import relay
from warehouse_inventory.observability import logger, metrics, traced
from warehouse_inventory.wiring import audit_repository, audit_sender


@traced
@metrics.log_metrics
@logger.inject_lambda_context
def relay_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return relay(event, audit_sender())


@traced
@metrics.log_metrics
@logger.inject_lambda_context
def consumer_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, audit_repository())
