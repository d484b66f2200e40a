"""A stock record's change, as the stream shows it, turned into the movement it was.

Every stock write carries `last_movement` (principle 4), so a record's new image says who did
what and why; the old image gives the delta. No second source of truth, no dual write.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from warehouse_inventory.dal.expressions import from_item
from warehouse_inventory.domain.stock import MovementType


def movement_id(sku: str, location_code: str | None, version: int) -> str:
    """Deterministic, so a redelivered change maps to the same audit row."""
    return f"{sku}@{location_code or ''}#{version}"


class Movement(BaseModel):
    """The contract's Movement."""

    movement_id: str
    type: MovementType
    sku: str
    location_code: str | None = None
    delta: int
    quantity_after: int
    actor: str
    reason: str | None = None
    reference: str | None = None
    request_id: str
    occurred_at: datetime


class MovementMessage(Movement):
    """What travels on the audit queue: the Movement plus what the audit log needs to pair
    transfer legs and to notice a missing version."""

    model_config = ConfigDict(extra="forbid")

    version: int
    transfer_id: str | None = None

    def previous_movement_id(self) -> str | None:
        if self.version <= 1:
            return None
        return movement_id(self.sku, self.location_code, self.version - 1)


def movement_from_change(
    new_image: dict[str, Any], old_image: dict[str, Any] | None
) -> MovementMessage:
    """`new_image`/`old_image` in DynamoDB JSON, as a NEW_AND_OLD_IMAGES stream record has them."""
    new = from_item(new_image)
    old = from_item(old_image) if old_image else {}
    last = new["last_movement"]
    version = int(new["version"])
    location = new.get("location_code")
    quantity = int(new["quantity"])
    return MovementMessage(
        movement_id=movement_id(new["sku"], location, version),
        type=MovementType(last["type"]),
        sku=new["sku"],
        location_code=location,
        delta=quantity - int(old.get("quantity", 0)),
        quantity_after=quantity,
        actor=last["actor"],
        reason=last.get("reason"),
        reference=last.get("reference"),
        request_id=last["request_id"],
        occurred_at=datetime.fromisoformat(last["occurred_at"]),
        version=version,
        transfer_id=last.get("transfer_id"),
    )
