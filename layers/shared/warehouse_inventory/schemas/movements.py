"""The contract's Movement, and the message that carries one on the audit queue: one model for
the relay that sends it and the consumer that reads it."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from warehouse_inventory.domain.stock import MovementType, movement_id


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
    transfer_id: str | None = None
    """The same on both legs of one transfer, so they can be paired; null on other types."""
    occurred_at: datetime


class MovementMessage(Movement):
    """What travels on the audit queue: the Movement plus what the audit log needs to notice
    a missing version."""

    model_config = ConfigDict(extra="forbid")

    version: int

    def previous_movement_id(self) -> str | None:
        if self.version <= 1:
            return None
        return movement_id(self.sku, self.location_code, self.version - 1)
