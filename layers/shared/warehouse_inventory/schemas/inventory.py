"""The contract's JSON models (CONTRACT.md): request models forbid unknown fields and coercion."""

import re
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.items import Item, ItemFields
from warehouse_inventory.domain.stock import StockLevel
from warehouse_inventory.domain.tokens import ApiToken
from warehouse_inventory.schemas.movements import Movement
from warehouse_inventory.services.ports import Adjustment

# Characters no free-text field accepts: control characters (C0, DEL, C1), the 66 Unicode
# noncharacters and lone surrogates. SQS refuses U+FFFE/U+FFFF and most C0 controls in a message
# body, UTF-8 (DynamoDB) cannot hold a lone surrogate (JSON can spell one: "\ud800"), and none of
# them is text a person means.
_UNSTORABLE = "\\ud800-\\udfff\\ufdd0-\\ufdef" + "".join(
    f"\\U{plane + 0xFFFE:08x}\\U{plane + 0xFFFF:08x}" for plane in range(0, 0x110000, 0x10000)
)
_REFUSED_IN_ONE_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_UNSTORABLE}]")
_REFUSED_IN_LINES = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_UNSTORABLE}]")


def _refuse(pattern: re.Pattern[str]) -> AfterValidator:
    def check(text: str) -> str:
        found = pattern.search(text)
        if found:
            raise PydanticCustomError(
                "text_character",
                "U+{code_point} is not allowed here (no control characters, Unicode "
                "noncharacters or lone surrogates)",
                {"code_point": f"{ord(found[0]):04X}"},
            )
        return text

    return AfterValidator(check)


# Free text: one line (names, units, references), or lines (tab, CR and LF allowed).
Text = Annotated[
    str,
    _refuse(_REFUSED_IN_ONE_LINE),
    Field(description="Unicode text without control characters or noncharacters."),
]
MultilineText = Annotated[
    str,
    _refuse(_REFUSED_IN_LINES),
    Field(description="Unicode text without noncharacters or control characters but tab, CR, LF."),
]
Sku = Annotated[str, StringConstraints(min_length=3, max_length=20, pattern=r"^[A-Z0-9]+$")]
LocationCode = Annotated[
    str, StringConstraints(min_length=1, max_length=10, pattern=r"^[A-Z0-9-]+$")
]
Reference = Annotated[Text, StringConstraints(max_length=100)]
Quantity = Annotated[int, Field(gt=0, le=1_000_000)]
PageLimit = Annotated[int, Field(ge=1, le=100)]
MAX_VERSION = 2**53 - 1
"""The largest version a client may send: exact in JavaScript, far inside DynamoDB's 38 digits."""
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]


class RequestModel(BaseModel):
    """Strict: no unknown fields (no mass assignment), no "5" or 5.0 taken for an int."""

    model_config = ConfigDict(extra="forbid", strict=True)


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


class AdjustReason(StrEnum):
    CYCLE_COUNT = "cycle_count"
    DAMAGED = "damaged"
    LOST = "lost"
    FOUND = "found"
    CORRECTION = "correction"


class AdjustIn(RequestModel):
    sku: Sku
    location_code: LocationCode | None = None
    counted_quantity: Annotated[int, Field(ge=0, le=1_000_000_000)]
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


class InventoryPage(BaseModel):
    items: list[InventoryOut]
    next_cursor: str | None


class HealthOut(BaseModel):
    status: str
    version: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, object]] | None


class ErrorOut(BaseModel):
    error: ErrorDetail
    request_id: str


class TokenIn(RequestModel):
    name: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    role: Annotated[Role, Field(strict=False)]  # JSON carries the role as its string value


class TokenOut(BaseModel):
    token_id: str
    name: str
    role: Annotated[Role, Field(strict=False)]  # JSON carries the role as its string value
    created_at: datetime

    @classmethod
    def of(cls, token: ApiToken) -> "TokenOut":
        return cls(
            token_id=token.token_id, name=token.name, role=token.role, created_at=token.created_at
        )


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The secret. Shown once: only its hash is stored.")


class TokenList(BaseModel):
    items: list[TokenOut]


class ItemIn(RequestModel):
    name: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[MultilineText, StringConstraints(max_length=2000)] | None = None
    unit: Annotated[Text, StringConstraints(min_length=1, max_length=20)] = "each"
    reorder_point: Annotated[int, Field(ge=0, le=1_000_000_000)] = 0

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


class ItemPageOut(BaseModel):
    items: list[ItemOut]
    next_cursor: str | None


class MovementPageOut(BaseModel):
    items: list[Movement]
    next_cursor: str | None


class LowStockLineOut(BaseModel):
    sku: str
    name: str
    total_quantity: int
    reorder_point: int


class LowStockReport(BaseModel):
    items: list[LowStockLineOut]


class LocationLineOut(BaseModel):
    location_code: str | None
    sku_count: int
    total_quantity: int


class LocationsReport(BaseModel):
    items: list[LocationLineOut]
