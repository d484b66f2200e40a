"""Item master data bodies (CONTRACT.md, Item); the defaults are the domain's."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from warehouse_inventory.domain.input_rules import MAX_COUNTED_QUANTITY
from warehouse_inventory.domain.items import (
    DEFAULT_REORDER_POINT,
    DEFAULT_UNIT,
    Item,
    ItemFields,
)
from warehouse_inventory.schemas.base import MultilineText, PageOut, RequestModel, Text


class ItemIn(RequestModel):
    name: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[MultilineText, StringConstraints(max_length=2000)] | None = None
    unit: Annotated[Text, StringConstraints(min_length=1, max_length=20)] = DEFAULT_UNIT
    reorder_point: Annotated[int, Field(ge=0, le=MAX_COUNTED_QUANTITY)] = DEFAULT_REORDER_POINT

    def fields(self) -> ItemFields:
        return ItemFields(self.name, self.description, self.unit, self.reorder_point)


class ItemOut(BaseModel):
    sku: str
    name: str
    description: str | None
    unit: str
    reorder_point: int
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, item: Item) -> "ItemOut":
        return cls(**asdict(item))


class ItemPageOut(PageOut[ItemOut]):
    pass
