"""What `/reports/movements` narrows the movement history to: every part optional, all combined.

The time window is half-open, `since <= occurred_at < until`, so consecutive windows never
count a movement twice; an empty window (`since >= until`) is refused, as it is always a
mistake (swapped bounds, most often).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from warehouse_inventory.domain.errors import ValidationFailed
from warehouse_inventory.domain.stock import MovementType


def instant_text(moment: datetime) -> str:
    """A fixed-width UTC time (`0001-01-01T00:00:00.000000Z`), so string order is time order:
    the audit log's sort keys start with it, and a window's bounds compare against them."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


@dataclass(frozen=True)
class MovementFilter:
    sku: str | None = None
    location_code: str | None = None
    type: MovementType | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValidationFailed(
                "The time window is empty: since must be earlier than until.",
                [{"field": "until", "message": "must be later than since"}],
            )

    def scope(self) -> str:
        """The filter as one canonical string: a cursor belongs to exactly this filter."""
        parts = {
            "sku": self.sku or "",
            "location_code": self.location_code or "",
            "type": self.type or "",
            "since": instant_text(self.since) if self.since else "",
            "until": instant_text(self.until) if self.until else "",
        }
        return "movements?" + urlencode(parts)
