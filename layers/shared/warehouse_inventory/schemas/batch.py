"""The batch of movements (POST /inventory/movements): entries of the four movements, told apart
by `type`, each with exactly its own route's fields, and the answer, one result per entry.

Validation errors name the entry by its position: `movements.2.quantity`. Pydantic puts the
union's tag in an error's location (`movements.2.restock.quantity`); the tag is not a field the
client sent, so `_entries` takes it out, and adds the `type` field to an error about the tag.
"""

from collections.abc import Sequence
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from warehouse_inventory.domain.batch import describe, records_touched, repeated_records
from warehouse_inventory.domain.input_rules import MAX_BATCH_ENTRIES, MAX_BATCH_RECORDS
from warehouse_inventory.domain.stock import Adjustment, MovementOutcome, StockLevel, StockRecord
from warehouse_inventory.schemas.base import Reference, RequestModel
from warehouse_inventory.schemas.inventory import (
    AdjustIn,
    AdjustOut,
    InventoryOut,
    PickIn,
    RestockIn,
    TransferIn,
    TransferOut,
)


class RestockEntry(RestockIn):
    """A restock, with the fields of `POST /inventory/restock`."""

    type: Literal["restock"]

    def records(self) -> tuple[StockRecord, ...]:
        return ((self.sku, self.location_code),)


class PickEntry(PickIn):
    """A pick, with the fields of `POST /inventory/pick`."""

    type: Literal["pick"]

    def records(self) -> tuple[StockRecord, ...]:
        return ((self.sku, self.location_code),)


class TransferEntry(TransferIn):
    """A transfer, with the fields of `POST /inventory/transfer`; it touches two stock records."""

    type: Literal["transfer"]

    def records(self) -> tuple[StockRecord, ...]:
        return (self.sku, self.from_location), (self.sku, self.to_location)


class AdjustEntry(AdjustIn):
    """A count, with the fields of `POST /inventory/adjust` (`If-Match` has no place here: use
    `expected_version`)."""

    type: Literal["adjust"]

    def records(self) -> tuple[StockRecord, ...]:
        return ((self.sku, self.location_code),)


Entry = RestockEntry | PickEntry | TransferEntry | AdjustEntry
ENTRY_TAGS = frozenset(
    get_args(model.model_fields["type"].annotation)[0] for model in get_args(Entry)
)
TAG_ERRORS = frozenset({"union_tag_invalid", "union_tag_not_found"})


def _without_tags(exc: ValidationError) -> ValidationError:
    """The same errors, located by entry position and field only."""
    errors: list[InitErrorDetails] = []
    for error in exc.errors():
        location = list(error["loc"])
        if len(location) > 1 and isinstance(location[0], int) and location[1] in ENTRY_TAGS:
            del location[1]
        if error["type"] in TAG_ERRORS:
            location.append("type")
        # As a custom error: its message is kept as written (custom types are not built-in).
        kind = PydanticCustomError(error["type"], error["msg"].replace("{", "{{"))
        errors.append({"type": kind, "loc": tuple(location), "input": error["input"]})
    return ValidationError.from_exception_data(exc.title, errors)


def _record_field(entry: Entry, position: int) -> str:
    if isinstance(entry, TransferEntry):
        return ("from_location", "to_location")[position]
    return "location_code"


def _batch_problems(entries: Sequence[Entry]) -> list[InitErrorDetails]:
    """The rules of a batch as a whole (domain.batch): distinct records, at most 100 of them."""
    records = [entry.records() for entry in entries]
    problems: list[InitErrorDetails] = []
    for index, position, earlier in repeated_records(records):
        message = (
            f"entry {earlier} already moves {describe(records[index][position])}: a batch "
            "touches each stock record once"
        )
        problems.append(
            {
                "type": PydanticCustomError("repeated_record", message),
                "loc": (index, _record_field(entries[index], position)),
                "input": entries[index].model_dump(mode="json"),
            }
        )
    touched = records_touched(records)
    if touched > MAX_BATCH_RECORDS:
        message = (
            f"the entries touch {touched} stock records, at most {MAX_BATCH_RECORDS} (a "
            "transfer touches two)"
        )
        problems.append(
            {"type": PydanticCustomError("too_many_records", message), "loc": (), "input": None}
        )
    return problems


def _entries(value: Any, handler: ValidatorFunctionWrapHandler) -> list[Entry]:
    try:
        entries: list[Entry] = handler(value)
    except ValidationError as exc:
        raise _without_tags(exc) from None
    if problems := _batch_problems(entries):
        raise ValidationError.from_exception_data("MovementBatchIn", problems)
    return entries


class MovementBatchIn(RequestModel):
    movements: Annotated[
        list[Annotated[Entry, Field(discriminator="type")]],
        Field(
            min_length=1,
            max_length=MAX_BATCH_ENTRIES,
            description=f"1 to {MAX_BATCH_ENTRIES} movements touching at most "
            f"{MAX_BATCH_RECORDS} stock records in all (a transfer touches two), each record "
            "once.",
        ),
        WrapValidator(_entries),
    ]
    reference: Reference | None = Field(
        default=None, description="Recorded on every entry that carries no reference of its own."
    )


Result = AdjustOut | TransferOut | InventoryOut


def result_of(outcome: MovementOutcome) -> Result:
    """An entry's result, as its own route presents it."""
    if isinstance(outcome, Adjustment):
        return AdjustOut.of_adjustment(outcome)
    if isinstance(outcome, StockLevel):
        return InventoryOut.of(outcome)
    return TransferOut.of_levels(outcome)


class MovementBatchOut(BaseModel):
    results: list[Result] = Field(
        description="One per entry, in order: what the entry's own route answers (InventoryOut "
        "for restock and pick, TransferOut for transfer, AdjustOut for adjust), read after the "
        "batch committed."
    )

    @classmethod
    def of_outcomes(cls, outcomes: Sequence[MovementOutcome]) -> "MovementBatchOut":
        return cls(results=[result_of(outcome) for outcome in outcomes])
