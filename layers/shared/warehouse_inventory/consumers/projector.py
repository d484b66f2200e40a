"""The projector: a second consumer of the inventory stream keeping the report projections.

Powertools' BatchProcessor reports failed records; Lambda then retries the stream from the
lowest failed sequence number. Records after it that had succeeded are taken in again, which
the projections' markers turn into no-ops.

A change followed in the same batch by a newer version of the same stock record is skipped:
the projections take in a change as "quantity is now N" against their marker, so the newest
version carries the effect of every one before it. A busy record (many movements a second)
then costs one projection write per batch instead of one per movement. Should the newer
record fail, it is retried (it comes after the skipped one), so nothing is lost.

The newest changes are taken in together, before the records are walked (a few transactions
for the whole batch: projection_repository.py); should that fail, each SKU is taken in on its
own, so only the records of a SKU that still fails are reported.
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
    from warehouse_inventory.domain.reports import StockChange
    from warehouse_inventory.services.ports import Projections

StockKey = tuple[str, str | None]
Outcome = bool | Exception
"""Per stock record: taken in (True), already taken in (False), or why it failed."""


def newest_changes(
    event: dict[str, Any], projections: "Projections"
) -> dict[StockKey, "StockChange"]:
    """Per stock record, its newest change in the batch. A record that does not parse is left
    out here and fails on its own in `handle` (a partial batch failure, not the whole batch)."""
    newest: dict[StockKey, StockChange] = {}
    for raw_record in event.get("Records", []):
        try:
            change = projections.change_of(raw_record)
        except (KeyError, TypeError, ValueError):
            continue
        if change is None:
            continue
        key = (change.sku, change.location_code)
        if key not in newest or change.version > newest[key].version:
            newest[key] = change
    return newest


def take_in(changes: list["StockChange"], projections: "Projections") -> dict[StockKey, Outcome]:
    """All the changes at once; after a failure, each SKU's alone, so a SKU that keeps failing
    fails only its own records. Any exception counts, as BatchProcessor counts any."""
    try:
        return dict(projections.apply_all(changes))
    except Exception as exc:  # narrowed below, SKU by SKU
        skus = {change.sku for change in changes}
        if len(skus) == 1:
            return {(change.sku, change.location_code): exc for change in changes}
        outcomes: dict[StockKey, Outcome] = {}
        for sku in sorted(skus):
            outcomes |= take_in([change for change in changes if change.sku == sku], projections)
        return outcomes


def project(event: dict[str, Any], context: Any, projections: "Projections") -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    newest = newest_changes(event, projections)
    outcomes = take_in(list(newest.values()), projections) if newest else {}

    def handle(record: DynamoDBRecord) -> None:
        change = projections.change_of(record.raw_event)
        if change is None:
            return
        key = (change.sku, change.location_code)
        if change.version < newest[key].version:
            return
        outcome = outcomes[key]
        if isinstance(outcome, Exception):
            raise outcome
        if not outcome:
            logger.info("stock change already projected", extra={"sku": change.sku})

    response = process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
    return dict(response)


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return project(event, context, projection_repository())
