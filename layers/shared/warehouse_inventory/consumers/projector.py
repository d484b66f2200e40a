"""The projector: a second consumer of the inventory stream keeping the report projections.

Powertools' BatchProcessor reports failed records; Lambda then retries the stream from the
lowest failed sequence number. Records after it that had succeeded are taken in again, which
the projections' markers turn into no-ops.

A change followed in the same batch by a newer version of the same stock record is skipped:
the projections take in a change as "quantity is now N" against their marker, so the newest
version carries the effect of every one before it. A busy record (many movements a second)
then costs one projection write per batch instead of one per movement. Should the newer
record fail, it is retried (it comes after the skipped one), so nothing is lost.
"""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from warehouse_inventory.observability import logger, metrics
from warehouse_inventory.wiring import projection_repository

if TYPE_CHECKING:
    from warehouse_inventory.services.ports import Projections

StockKey = tuple[str, str | None]


def newest_versions(event: dict[str, Any], projections: "Projections") -> dict[StockKey, int]:
    """Per stock record, the newest version in the batch. A record that does not parse is left
    out here and fails on its own in `handle` (a partial batch failure, not the whole batch)."""
    newest: dict[StockKey, int] = {}
    for raw_record in event.get("Records", []):
        try:
            change = projections.change_of(raw_record)
        except (KeyError, TypeError, ValueError):
            continue
        if change is not None:
            key = (change.sku, change.location_code)
            newest[key] = max(newest.get(key, 0), change.version)
    return newest


def project(event: dict[str, Any], context: Any, projections: "Projections") -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    newest = newest_versions(event, projections)

    def handle(record: DynamoDBRecord) -> None:
        change = projections.change_of(record.raw_event)
        if change is None or change.version < newest[(change.sku, change.location_code)]:
            return
        if not projections.apply(change):
            logger.info("stock change already projected", extra={"sku": change.sku})

    response = process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
    return dict(response)


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return project(event, context, projection_repository())
