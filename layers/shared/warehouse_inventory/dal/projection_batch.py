"""How one stream batch's projection writes are grouped: the stock changes packed into
transactions of at most 100 writes, each SKU whole where it fits (its markers and its item must
commit together), and the deltas of many markers summed into one write per location summary.

Pure arithmetic: projection_repository.py reads the markers and commits what this plans. The
grouping is what makes a stock change cost about one DynamoDB call instead of four (one Query
per SKU, one TransactWriteItems per chunk; docs/performance.md, "Projector").
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from warehouse_inventory.domain.reports import StockChange

MAX_ACTIONS = 100
"""DynamoDB's limit of actions in one TransactWriteItems."""

PIECE_CHANGES = (MAX_ACTIONS - 1) // 2
"""A SKU's changes in one transaction at most: a marker and a location summary each, plus the
item; a SKU with more in one batch (49 locations) is taken in over several transactions."""

StockKey = tuple[str, str | None]
"""(sku, location_code): one stock record, one marker."""

Piece = list[StockChange]
"""Changes of one SKU, in stream order."""


@dataclass(frozen=True)
class Marked:
    """A marker as read: the quantity and version the projections last took in."""

    quantity: int = 0
    version: int = 0


def key_of(change: StockChange) -> StockKey:
    return (change.sku, change.location_code)


def newest(changes: Iterable[StockChange]) -> list[StockChange]:
    """The newest change of each stock record, in the order the records first appear: a
    transaction may write a marker once, and the newest carries the effect of the others."""
    kept: dict[StockKey, StockChange] = {}
    for change in changes:
        key = key_of(change)
        if key not in kept or change.version > kept[key].version:
            kept[key] = change
    return list(kept.values())


def pieces(changes: Iterable[StockChange]) -> list[Piece]:
    """Each SKU's changes (the newest of each record), split into pieces that fit one
    transaction."""
    by_sku: dict[str, Piece] = {}
    for change in newest(changes):
        by_sku.setdefault(change.sku, []).append(change)
    return [
        group[start : start + PIECE_CHANGES]
        for group in by_sku.values()
        for start in range(0, len(group), PIECE_CHANGES)
    ]


def actions(chunk: Sequence[Piece]) -> int:
    """The writes a chunk can need at most: a marker per change, the item (or a check that it
    is still absent) per SKU, a summary per location."""
    locations = {change.location_code for piece in chunk for change in piece}
    return sum(len(piece) + 1 for piece in chunk) + len(locations)


def chunks(changes: Iterable[StockChange]) -> list[list[Piece]]:
    """Pieces packed, in order, into transactions of at most MAX_ACTIONS writes, each SKU at
    most once in a transaction (DynamoDB refuses two actions on one item)."""
    packed: list[list[Piece]] = []
    current: list[Piece] = []
    for piece in pieces(changes):
        in_current = {other[0].sku for other in current}
        if current and (piece[0].sku in in_current or actions([*current, piece]) > MAX_ACTIONS):
            packed.append(current)
            current = []
        current.append(piece)
    if current:
        packed.append(current)
    return packed


@dataclass
class SummaryDelta:
    """What the changes taken in add to one location's summary."""

    total_quantity: int = 0
    sku_count: int = 0

    def add(self, change: StockChange, marked: Marked) -> None:
        """The change's effect against its marker, not against the stream's old image: a
        skipped or reordered change is neither lost nor counted twice."""
        self.total_quantity += change.quantity - marked.quantity
        self.sku_count += int(change.quantity > 0) - int(marked.quantity > 0)
