"""Stock bodies (CONTRACT.md): the four movements' requests, and levels as the API answers them.
Request models forbid unknown fields and coercion (base.RequestModel)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from warehouse_inventory.domain import stock
from warehouse_inventory.domain.input_rules import MAX_COUNTED_QUANTITY
from warehouse_inventory.domain.stock import Adjustment, StockLevel
from warehouse_inventory.schemas.base import (
    LocationCode,
    PageOut,
    Quantity,
    Reference,
    RequestModel,
    Sku,
    Version,
)


class InventoryIn(RequestModel):
    sku: Sku
    quantity: Quantity
    location_code: LocationCode | None = None


class RestockIn(InventoryIn):
    reference: Reference | None = None


class PickIn(InventoryIn):
    reference: Reference | None = None


class TransferIn(RequestModel):
    sku: Sku
    quantity: Quantity
    from_location: LocationCode | None = Field(description="Source location; null: unassigned.")
    to_location: LocationCode | None = Field(description="Destination; null: unassigned.")
    reference: Reference | None = None

    @model_validator(mode="after")
    def different_locations(self) -> "TransferIn":
        if self.from_location == self.to_location:
            raise PydanticCustomError("same_location", "to_location must differ from from_location")
        return self


AdjustReason = stock.AdjustReason
"""Defined in the domain, where the CLI checks an import file's reasons against it."""


class AdjustIn(RequestModel):
    sku: Sku
    location_code: LocationCode | None = None
    counted_quantity: Annotated[int, Field(ge=0, le=MAX_COUNTED_QUANTITY)]
    reason: Annotated[AdjustReason, Field(strict=False)]  # JSON carries the enum's string value
    expected_version: Version | None = None


class InventoryOut(BaseModel):
    id: int
    sku: str
    quantity: int
    location_code: str | None
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, level: StockLevel) -> "InventoryOut":
        return cls(
            id=level.id,
            sku=level.sku,
            quantity=level.quantity,
            location_code=level.location_code,
            updated_at=level.updated_at,
            version=level.version,
        )


class AdjustOut(InventoryOut):
    delta: int = Field(description="counted_quantity minus the quantity it replaced")

    @classmethod
    def of_adjustment(cls, adjustment: Adjustment) -> "AdjustOut":
        return cls(**InventoryOut.of(adjustment.level).model_dump(), delta=adjustment.delta)


class TransferOut(BaseModel):
    source: InventoryOut
    destination: InventoryOut

    @classmethod
    def of_levels(cls, levels: tuple[StockLevel, StockLevel]) -> "TransferOut":
        source, destination = levels
        return cls(source=InventoryOut.of(source), destination=InventoryOut.of(destination))


class SkuStockOut(BaseModel):
    sku: str
    total_quantity: int
    levels: list[InventoryOut]


class InventoryPage(PageOut[InventoryOut]):
    pass
