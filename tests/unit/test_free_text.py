"""Free-text fields accept any Unicode text except control characters, noncharacters and lone
surrogates (tab, CR and LF allowed where text may span lines): checked against an oracle built
from `unicodedata`, over arbitrary text and the edges of every excluded range."""

import importlib
import pkgutil
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from tests.support.unicode_text import EDGES, text_of
from warehouse_inventory import schemas
from warehouse_inventory.schemas.base import RequestModel
from warehouse_inventory.schemas.batch import (
    MovementBatchIn,
    PickEntry,
    RestockEntry,
    TransferEntry,
)
from warehouse_inventory.schemas.inventory import PickIn, RestockIn, TransferIn
from warehouse_inventory.schemas.items import ItemIn
from warehouse_inventory.schemas.tokens import TokenIn

VALID: dict[type[BaseModel], dict[str, Any]] = {
    RestockIn: {"sku": "ABC", "quantity": 1},
    PickIn: {"sku": "ABC", "quantity": 1},
    TransferIn: {"sku": "ABC", "quantity": 1, "from_location": "A", "to_location": "B"},
    TokenIn: {"name": "scanner", "role": "viewer"},
    ItemIn: {"name": "Widget"},
    RestockEntry: {"type": "restock", "sku": "ABC", "quantity": 1},
    PickEntry: {"type": "pick", "sku": "ABC", "quantity": 1},
    TransferEntry: {
        "type": "transfer",
        "sku": "ABC",
        "quantity": 1,
        "from_location": "A",
        "to_location": "B",
    },
    MovementBatchIn: {"movements": [{"type": "restock", "sku": "ABC", "quantity": 1}]},
}
SINGLE_LINE = [
    (RestockIn, "reference"),
    (PickIn, "reference"),
    (TransferIn, "reference"),
    (RestockEntry, "reference"),
    (PickEntry, "reference"),
    (TransferEntry, "reference"),
    (MovementBatchIn, "reference"),
    (TokenIn, "name"),
    (ItemIn, "name"),
    (ItemIn, "unit"),
]
MULTILINE = [(ItemIn, "description")]
any_text = text_of(st.characters(exclude_categories=[]), EDGES, max_size=20)


def is_noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def acceptable(text: str, line_breaks: bool) -> bool:
    allowed_controls = "\t\n\r" if line_breaks else ""
    return not any(
        unicodedata.category(char) == "Cs"
        or (unicodedata.category(char) == "Cc" and char not in allowed_controls)
        or is_noncharacter(char)
        for char in text
    )


def accepts(model: type[BaseModel], field: str, text: str) -> bool:
    try:
        model.model_validate(VALID[model] | {field: text})
    except ValidationError as error:
        assert [e["loc"] for e in error.errors()] == [(field,)]
        return False
    return True


@pytest.mark.parametrize(("model", "field"), SINGLE_LINE)
@given(text=any_text)
def test_single_line_text_is_refused_exactly_when_the_oracle_says(
    model: type[BaseModel], field: str, text: str
) -> None:
    assert accepts(model, field, text) == acceptable(text, line_breaks=False)


@pytest.mark.parametrize(("model", "field"), MULTILINE)
@given(text=any_text)
def test_multiline_text_is_refused_exactly_when_the_oracle_says(
    model: type[BaseModel], field: str, text: str
) -> None:
    assert accepts(model, field, text) == acceptable(text, line_breaks=True)


def test_the_error_names_the_character() -> None:
    with pytest.raises(ValidationError) as raised:
        RestockIn.model_validate(VALID[RestockIn] | {"reference": "PO-\U0001fffe"})
    assert "U+1FFFE" in raised.value.errors()[0]["msg"]


def request_models() -> list[type[RequestModel]]:
    modules = [
        importlib.import_module(f"{schemas.__name__}.{module.name}")
        for module in pkgutil.iter_modules(schemas.__path__)
    ]
    found = {
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, RequestModel) and value is not RequestModel
    }
    return sorted(found, key=lambda model: model.__name__)


def is_free_text(schema: dict[str, Any]) -> bool:
    """A string property without a pattern, format, enum or constant: anything a client may
    type."""
    options = schema.get("anyOf", [schema])
    return any(
        option.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(option)
        for option in options
    )


def test_every_free_text_field_of_every_request_model_is_checked() -> None:
    checked = {(model.__name__, field) for model, field in SINGLE_LINE + MULTILINE}
    free_text = {
        (model.__name__, field)
        for model in request_models()
        for field, schema in model.model_json_schema()["properties"].items()
        if is_free_text(schema)
    }
    assert free_text == checked
