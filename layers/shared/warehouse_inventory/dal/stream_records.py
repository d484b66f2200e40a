"""The inventory table's stream records, read: which are stock writes, the quantity a write
left, where a record sits on its shard. Both of the stream's consumers read them: the relay
(audit_queue.py) and the projections."""

from typing import Any

from warehouse_inventory.dal import keys
from warehouse_inventory.dal.dynamodb import from_item
from warehouse_inventory.domain.reports import StockChange

StreamRecord = dict[str, Any]
"""A DynamoDB stream record as Lambda delivers it."""

PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError)
"""What a stream record that is not what the readers expect raises while it is read."""


WRITES = frozenset({"INSERT", "MODIFY"})


def is_stock_write(record: StreamRecord) -> bool:
    """An INSERT or MODIFY of a stock record; raises one of PARSE_ERRORS when it cannot tell."""
    sort_key = record["dynamodb"]["Keys"]["sk"]["S"]
    return record["eventName"] in WRITES and keys.is_stock_record(sort_key)


def stock_change(record: StreamRecord) -> StockChange | None:
    """The quantity a stock write left, as of its version; None for any other record."""
    if record.get("eventName") not in WRITES or not is_stock_write(record):
        return None
    new = from_item(record["dynamodb"]["NewImage"])
    return StockChange(
        sku=new["sku"],
        location_code=new.get("location_code"),
        quantity=int(new["quantity"]),
        version=int(new["version"]),
    )


def sequence_number(record: StreamRecord) -> str:
    """The record's position on its shard; "" (Lambda then retries the whole batch) for a
    record without one."""
    try:
        return str(record["dynamodb"]["SequenceNumber"])
    except PARSE_ERRORS:
        return ""


def without_images(record: StreamRecord) -> StreamRecord:
    """The record's keys, sequence number and times, without the item images."""
    change = record.get("dynamodb")
    if not isinstance(change, dict):
        return {key: value for key, value in record.items() if key != "dynamodb"}
    images = {"NewImage", "OldImage"}
    return record | {"dynamodb": {key: value for key, value in change.items() if key not in images}}
