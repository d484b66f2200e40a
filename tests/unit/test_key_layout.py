"""The inventory table's key layout is spelled in one module, dal/keys.py: no other module of the
layer writes a key prefix or a fixed sort key, so the layout can change in one place."""

import ast
from pathlib import Path

import pytest

from warehouse_devstack.template import REPO_ROOT

LAYER = REPO_ROOT / "layers/shared/warehouse_inventory"
KEYS_MODULE = LAYER / "dal/keys.py"
PREFIXES = ("SKU#", "STOCK#", "LOC#", "LOCATION#", "PROJ#", "PROJ$")
FIXED_SORT_KEYS = {"SUMMARY", "ITEM"}


def docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring constants (module, class, function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def key_literals(source: str) -> list[str]:
    tree = ast.parse(source)
    skip = docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and (any(prefix in node.value for prefix in PREFIXES) or node.value in FIXED_SORT_KEYS)
    ]


@pytest.mark.parametrize(
    "path",
    [path for path in sorted(LAYER.rglob("*.py")) if path != KEYS_MODULE],
    ids=lambda path: str(path.relative_to(LAYER)),
)
def test_no_module_but_keys_spells_a_key(path: Path) -> None:
    assert key_literals(path.read_text()) == []


def test_keys_spells_them_all() -> None:
    found = " ".join(key_literals(KEYS_MODULE.read_text()))
    assert all(prefix in found for prefix in PREFIXES)
    assert set(key_literals(KEYS_MODULE.read_text())) >= FIXED_SORT_KEYS


def test_a_prefix_outside_keys_is_caught() -> None:
    assert key_literals('def sku_of(pk):\n    return pk.removeprefix("SKU#")\n') == ["SKU#"]
