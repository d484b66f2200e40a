"""What the relay leaves on its dead-letter queue for a stream record it cannot send."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from warehouse_inventory.domain.clock import utc_now


class DeadLetter(BaseModel):
    """The stream record as Lambda delivered it, and why it is here: enough to rebuild its
    movement with the code of the day (`warehouse_inventory.dal.audit_redrive`)."""

    model_config = ConfigDict(extra="forbid")

    reason: str
    record: dict[str, Any]
    dead_lettered_at: datetime = Field(default_factory=utc_now)
