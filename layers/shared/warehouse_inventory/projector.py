"""The projector: a second consumer of the inventory stream keeping the report projections.

Powertools' BatchProcessor reports failed records; Lambda then retries the stream from the
lowest failed sequence number. Records after it that had succeeded are taken in again, which
the projections' markers turn into no-ops.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from warehouse_inventory.dynamodb_support import from_item
from warehouse_inventory.observability import logger, metrics
from warehouse_inventory.projections import ProjectionRepository, StockChange
from warehouse_inventory.stock import utc_now


def stock_change(new_image: dict[str, Any]) -> StockChange:
    record = from_item(new_image)
    return StockChange(
        sku=record["sku"],
        location_code=record.get("location_code"),
        quantity=int(record["quantity"]),
        version=int(record["version"]),
    )


def project(
    event: dict[str, Any], context: Any, repository: ProjectionRepository
) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

    def handle(record: DynamoDBRecord) -> None:
        raw = record.raw_event["dynamodb"]
        if record.raw_event.get("eventName") not in {"INSERT", "MODIFY"}:
            return
        if not raw["Keys"]["sk"]["S"].startswith("STOCK#"):
            return
        if not repository.apply(stock_change(raw["NewImage"]), utc_now()):
            logger.info("stock change already projected", extra={"keys": raw["Keys"]})

    response = process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
    return dict(response)


@metrics.log_metrics
@logger.inject_lambda_context
def projector_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from warehouse_inventory.services import projection_repository

    return project(event, context, projection_repository())
