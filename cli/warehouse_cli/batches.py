"""An import's lines as batches: each batch touches distinct stock records, and the lines of one
record are sent in file order, so a file applies as if sent line by line.

A line's round is one more than the round of the previous line that touches any of its records
(a transfer touches two): the lines of one round touch distinct records, and every earlier line
of a record is in an earlier round. Rounds are sent one after the other; a round's batches (at
most `size` lines and 100 records each) go concurrently. Within a round the lines of one SKU go
together (then file order): the API ensures each restocked or counted SKU's item once per
batch, so fewer SKUs per batch are fewer writes. The plan depends on the file and the batch
size only, so a re-run plans the same batches (and their keys).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from warehouse_cli.idempotency import batch_key
from warehouse_cli.import_file import ImportLine
from warehouse_inventory.domain.batch import records_touched
from warehouse_inventory.domain.input_rules import MAX_BATCH_ENTRIES, MAX_BATCH_RECORDS
from warehouse_inventory.domain.stock import StockRecord

DEFAULT_BATCH_SIZE = MAX_BATCH_ENTRIES


@dataclass(frozen=True)
class Batch:
    """Lines sent as one POST /inventory/movements under one Idempotency-Key."""

    key: str
    lines: tuple[ImportLine, ...]

    def body(self) -> dict[str, list[dict[str, object]]]:
        return {"movements": [line.entry() for line in self.lines]}

    def without(self, left_out: Sequence[int]) -> "Batch":
        """The same batch, under the same key, without the lines numbered `left_out`."""
        kept = tuple(line for line in self.lines if line.number not in left_out)
        return Batch(self.key, kept)


def rounds(lines: Sequence[ImportLine]) -> list[list[ImportLine]]:
    """The lines by round, file order within each."""
    last_round: dict[StockRecord, int] = {}
    by_round: list[list[ImportLine]] = []
    for line in lines:
        number = 1 + max((last_round.get(record, -1) for record in line.records()), default=-1)
        for record in line.records():
            last_round[record] = number
        if number == len(by_round):
            by_round.append([])
        by_round[number].append(line)
    return by_round


def chunks(lines: Sequence[ImportLine], size: int) -> list[list[ImportLine]]:
    """Consecutive lines, at most `size` of them and 100 records per chunk."""
    found: list[list[ImportLine]] = [[]]
    for line in lines:
        current = found[-1]
        records = [entry.records() for entry in [*current, line]]
        if current and (len(current) == size or records_touched(records) > MAX_BATCH_RECORDS):
            found.append(current := [])
        current.append(line)
    return [chunk for chunk in found if chunk]


def plan(lines: Sequence[ImportLine], digest: str, size: int) -> list[list[Batch]]:
    """The batches of each round, each under the key of its file and its lines."""
    return [
        [
            Batch(batch_key(digest, [line.number for line in chunk]), tuple(chunk))
            for chunk in chunks(sorted(round_lines, key=lambda line: line.sku), size)
        ]
        for round_lines in rounds(lines)
    ]
