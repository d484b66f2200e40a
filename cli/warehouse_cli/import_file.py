"""An import file, read and checked in full before anything is sent.

A half-applied file is worse than a refused one, so every line is checked against the
contract's limits first and every problem is reported with its file line number (header =
line 1). Lines are read one physical line at a time: a record never spans lines, so the
numbers are exact.

Columns: `sku,quantity,location_code,type,reference` always, and `from_location`,
`to_location` (transfer lines) and `reason` (adjust lines) when the file has such lines; an
absent column reads as empty.
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# The API's own rules (the layer's domain package: no framework, no AWS), so the file is
# refused exactly where the API would refuse a line.
from warehouse_inventory.domain.input_rules import (
    LOCATION_CODE,
    MAX_COUNTED_QUANTITY,
    MAX_QUANTITY,
    MAX_REFERENCE_LENGTH,
    SKU,
)
from warehouse_inventory.domain.stock import AdjustReason, StockRecord

COLUMNS = ("sku", "quantity", "location_code", "type", "reference")
OPTIONAL_COLUMNS = ("from_location", "to_location", "reason")
INTEGER = re.compile(r"[+-]?[0-9]+")
ADJUST_REASON = AdjustReason.CYCLE_COUNT
"""An adjust line's reason when its `reason` is empty (or the file has no such column)."""


class Kind(StrEnum):
    RESTOCK = "restock"
    PICK = "pick"
    TRANSFER = "transfer"
    ADJUST = "adjust"


@dataclass(frozen=True)
class ImportLine:
    """One movement. For `adjust`, `quantity` is the counted quantity (set, not added); a
    transfer moves `quantity` from `from_location` to `to_location` (None: unassigned)."""

    number: int
    sku: str
    quantity: int
    location_code: str | None
    kind: Kind
    reference: str | None
    from_location: str | None = None
    to_location: str | None = None
    reason: AdjustReason = ADJUST_REASON

    @property
    def path(self) -> str:
        return f"/inventory/{self.kind}"

    def records(self) -> tuple[StockRecord, ...]:
        """The stock records the line moves: a transfer's source and destination, else one."""
        if self.kind is Kind.TRANSFER:
            return (self.sku, self.from_location), (self.sku, self.to_location)
        return ((self.sku, self.location_code),)

    def body(self) -> dict[str, Any]:
        """The movement's request body; optional fields are left out rather than sent null (a
        transfer's locations are required, null meaning unassigned)."""
        body: dict[str, Any] = {"sku": self.sku}
        if self.kind is Kind.ADJUST:
            body |= {"counted_quantity": self.quantity, "reason": str(self.reason)}
        else:
            body["quantity"] = self.quantity
        if self.kind is Kind.TRANSFER:
            body |= {"from_location": self.from_location, "to_location": self.to_location}
        elif self.location_code is not None:
            body["location_code"] = self.location_code
        if self.reference is not None:
            body["reference"] = self.reference
        return body

    def entry(self) -> dict[str, Any]:
        """The movement as an entry of a batch (POST /inventory/movements)."""
        return {"type": str(self.kind), **self.body()}


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass(frozen=True)
class ImportFile:
    lines: list[ImportLine]
    problems: list[Problem]


def parse_import(text: str) -> ImportFile:
    """Every valid line and every problem; the caller sends nothing unless `problems` is empty."""
    rows = text.splitlines()
    if not rows or not rows[0].strip():
        return ImportFile([], [Problem(1, f"missing header: {','.join(COLUMNS)}")])
    header, header_problem = read_header(rows[0])
    if header_problem:
        return ImportFile([], [Problem(1, header_problem)])
    lines: list[ImportLine] = []
    problems: list[Problem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row.strip():
            continue  # blank lines (a trailing newline, spacing) carry nothing
        line, errors = parse_line(number, row, header)
        if errors:
            problems.append(Problem(number, "; ".join(errors)))
        elif line is not None:
            lines.append(line)
    return ImportFile(lines, problems)


def split(row: str) -> list[str]:
    """One CSV record; an unbalanced quote is an error, not a silent merge."""
    return [field.strip() for field in next(csv.reader([row], strict=True))]


def read_header(row: str) -> tuple[list[str], str | None]:
    """The column order; any order is accepted, but the five names, and the optional ones, at
    most once each."""
    try:
        names = split(row)
    except csv.Error as error:
        return [], f"header is not valid CSV: {error}"
    names = [names[0].removeprefix("\ufeff"), *names[1:]]
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS + OPTIONAL_COLUMNS]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    errors = [
        f"{label}: {', '.join(found)}"
        for label, found in [("missing", missing), ("unknown", unknown), ("twice", duplicated)]
        if found
    ]
    if errors:
        return [], f"header must be {','.join(COLUMNS)} ({'; '.join(errors)})"
    return names, None


def parse_line(number: int, row: str, header: list[str]) -> tuple[ImportLine | None, list[str]]:
    try:
        values = split(row)
    except csv.Error as error:
        return None, [f"not valid CSV: {error}"]
    if len(values) != len(header):
        return None, [f"expected {len(header)} fields, found {len(values)}"]
    record = dict.fromkeys(OPTIONAL_COLUMNS, "") | dict(zip(header, values, strict=True))
    errors: list[str] = []
    kind = checked(errors, parse_kind, record["type"])
    sku = checked(errors, parse_sku, record["sku"])
    location = checked(errors, parse_location, record["location_code"])
    source = checked(errors, parse_location, record["from_location"], "from_location")
    destination = checked(errors, parse_location, record["to_location"], "to_location")
    reference = checked(errors, parse_reference, record["reference"])
    quantity = checked(errors, quantity_parser(kind), record["quantity"])
    reason = checked(errors, parse_reason, record["reason"])
    errors += misplaced(kind, record)
    if kind is Kind.TRANSFER and not errors and source == destination:
        errors.append("to_location must differ from from_location")
    if errors or kind is None or sku is None or quantity is None or reason is None:
        return None, errors
    line = ImportLine(number, sku, quantity, location, kind, reference, source, destination, reason)
    return line, []


def misplaced(kind: Kind | None, record: dict[str, str]) -> list[str]:
    """Fields a line of this type does not take, as its route would not."""
    if kind is Kind.TRANSFER and record["location_code"]:
        return ["location_code must be empty for transfer (use from_location and to_location)"]
    errors = []
    if kind not in {Kind.TRANSFER, None} and (record["from_location"] or record["to_location"]):
        errors.append("from_location and to_location are for transfer lines only")
    if kind not in {Kind.ADJUST, None} and record["reason"]:
        errors.append("reason is for adjust lines only")
    if kind is Kind.ADJUST and record["reference"]:
        errors.append("reference must be empty for adjust (the API records none for a count)")
    return errors


def checked[T](errors: list[str], parse: Callable[..., T], text: str, *arguments: str) -> T | None:
    """`parse(text, *arguments)`, or None with its complaint added to `errors`."""
    try:
        return parse(text, *arguments)
    except ValueError as error:
        errors.append(str(error))
        return None


def parse_kind(text: str) -> Kind:
    try:
        return Kind(text)
    except ValueError:
        raise ValueError(f"type {text!r} is not one of {', '.join(Kind)}") from None


def parse_reason(text: str) -> AdjustReason:
    if not text:
        return ADJUST_REASON
    try:
        return AdjustReason(text)
    except ValueError:
        raise ValueError(f"reason {text!r} is not one of {', '.join(AdjustReason)}") from None


def parse_sku(text: str) -> str:
    if not SKU.matches(text):
        raise ValueError(
            f"sku {text!r} must be {SKU.min_length}-{SKU.max_length} characters A-Z, 0-9"
        )
    return text


def parse_location(text: str, column: str = "location_code") -> str | None:
    if not text:
        return None  # unassigned stock
    if not LOCATION_CODE.matches(text):
        bounds = f"{LOCATION_CODE.min_length}-{LOCATION_CODE.max_length}"
        raise ValueError(f"{column} {text!r} must be {bounds} characters A-Z, 0-9, -")
    return text


def parse_reference(text: str) -> str | None:
    if len(text) > MAX_REFERENCE_LENGTH:
        raise ValueError(f"reference is {len(text)} characters, at most {MAX_REFERENCE_LENGTH}")
    return text or None


def quantity_parser(kind: Kind | None) -> Callable[[str], int]:
    """A count may be 0 (the shelf is empty); restock and pick move at least one unit."""
    if kind is Kind.ADJUST:
        return lambda text: parse_quantity(text, 0, MAX_COUNTED_QUANTITY)
    return lambda text: parse_quantity(text, 1, MAX_QUANTITY)


def parse_quantity(text: str, minimum: int, maximum: int) -> int:
    if not INTEGER.fullmatch(text):
        raise ValueError(f"quantity {text!r} is not a whole number")
    quantity = int(text)
    if not minimum <= quantity <= maximum:
        raise ValueError(f"quantity {quantity} must be between {minimum:,} and {maximum:,}")
    return quantity
