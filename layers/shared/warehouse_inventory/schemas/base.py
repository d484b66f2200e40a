"""What every request and response model is built from: strict request models, the field types
with the contract's bounds and text rules (domain.input_rules), and the page body."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from warehouse_inventory.domain.input_rules import (
    LOCATION_CODE,
    MAX_PAGE_LIMIT,
    MAX_QUANTITY,
    MAX_REFERENCE_LENGTH,
    MAX_VERSION,
    SKU,
    Identifier,
    refused_character,
)


def _refuse_characters(*, multiline: bool) -> AfterValidator:
    def check(text: str) -> str:
        refused = refused_character(text, multiline=multiline)
        if refused is not None:
            raise PydanticCustomError(
                "text_character",
                "U+{code_point} is not allowed here (no control characters, Unicode "
                "noncharacters or lone surrogates)",
                {"code_point": f"{ord(refused):04X}"},
            )
        return text

    return AfterValidator(check)


def _identifier(rule: Identifier) -> StringConstraints:
    return StringConstraints(
        min_length=rule.min_length, max_length=rule.max_length, pattern=rule.pattern
    )


# Free text: one line (names, units, references), or lines (tab, CR and LF allowed).
Text = Annotated[
    str,
    _refuse_characters(multiline=False),
    Field(description="Unicode text without control characters or noncharacters."),
]
MultilineText = Annotated[
    str,
    _refuse_characters(multiline=True),
    Field(description="Unicode text without noncharacters or control characters but tab, CR, LF."),
]
Sku = Annotated[str, _identifier(SKU)]
LocationCode = Annotated[str, _identifier(LOCATION_CODE)]
Reference = Annotated[Text, StringConstraints(max_length=MAX_REFERENCE_LENGTH)]
Quantity = Annotated[int, Field(gt=0, le=MAX_QUANTITY)]
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE_LIMIT)]
PageCursor = Annotated[str, Field(max_length=2048)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]


def _instant(value: Any) -> datetime:
    """ISO-8601 text with a time zone, as UTC. Pydantic's own datetime also takes Unix
    seconds and dates without a zone; an instant in a URL is neither."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PydanticCustomError(
            "instant", "expected an ISO-8601 time with a zone, e.g. 2025-01-31T08:00:00Z"
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("instant", "outside the years 1 to 9999 in UTC") from None


Instant = Annotated[
    datetime,
    BeforeValidator(_instant),
    Field(description="ISO-8601 with a zone (`Z` or an offset), e.g. 2025-01-31T08:00:00Z."),
]


class RequestModel(BaseModel):
    """Strict: no unknown fields (no mass assignment), no "5" or 5.0 taken for an int."""

    model_config = ConfigDict(extra="forbid", strict=True)


class PageOut[T](BaseModel):
    """Every listing's body: a page of items and the cursor of the next (null on the last).

    Each listing names its own subclass, which only gives the schema its name in the OpenAPI
    document (a client generated from it keeps its class names)."""

    items: list[T]
    next_cursor: str | None
