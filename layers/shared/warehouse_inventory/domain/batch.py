"""The rules of a batch of movements beyond each entry's own: it touches every stock record at
most once, and at most MAX_BATCH_RECORDS of them (it is one transaction: see input_rules).

Plain functions over each entry's records, shared by the request model and the CLI's planner,
so a file's batches are refused by the CLI exactly where the API would refuse them.
"""

from collections.abc import Sequence

from warehouse_inventory.domain.input_rules import MAX_BATCH_RECORDS
from warehouse_inventory.domain.stock import StockRecord


def repeated_records(
    records_per_entry: Sequence[Sequence[StockRecord]],
) -> list[tuple[int, int, int]]:
    """(entry, which of its records, the earlier entry) for each record an earlier entry of the
    batch already touches."""
    first_entry: dict[StockRecord, int] = {}
    repeats: list[tuple[int, int, int]] = []
    for entry, records in enumerate(records_per_entry):
        for position, record in enumerate(records):
            earlier = first_entry.setdefault(record, entry)
            if earlier != entry:
                repeats.append((entry, position, earlier))
    return repeats


def records_touched(records_per_entry: Sequence[Sequence[StockRecord]]) -> int:
    return sum(len(records) for records in records_per_entry)


def too_many_records(records_per_entry: Sequence[Sequence[StockRecord]]) -> bool:
    return records_touched(records_per_entry) > MAX_BATCH_RECORDS


def describe(record: StockRecord) -> str:
    sku, location = record
    return f"{sku} at {location or 'no location (unassigned)'}"
