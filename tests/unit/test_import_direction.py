"""Imports go one way, so the folder tree is the architecture: the layer's roles import only
down the list below, and what sits outside the layer uses it only where it should.

    domain      framework-free types and rules: nothing of ours outside domain/
    schemas     Pydantic models: domain/
    services    use cases and their ports: domain/, schemas/ (never dal/, http/, consumers/)
    dal         DynamoDB and SQS: domain/, schemas/, services/ports (never http/, consumers/)
    http        the API adapter: never dal/ (services come from wiring.py)
    consumers   stream, queue and authorizer handlers: never dal/ nor http/
    wiring.py   the only module of the layer that imports dal/, so the only one building
                repositories and clients; never http/ nor consumers/

Every import counts: at the top, inside functions, under TYPE_CHECKING.
"""

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from warehouse_devstack.template import REPO_ROOT

LAYER = "warehouse_inventory"
CROSS_CUTTING = {"settings", "observability"}
"""Importable from every role but domain/ and schemas/."""
MAY_IMPORT: dict[str, set[str]] = {
    "domain": {"domain"},
    "schemas": {"domain", "schemas"},
    "services": {"domain", "schemas", "services", *CROSS_CUTTING},
    "dal": {"domain", "schemas", "services.ports", "dal", *CROSS_CUTTING},
    "http": {"domain", "schemas", "services", "http", "wiring", *CROSS_CUTTING},
    "consumers": {"domain", "schemas", "services", "consumers", "wiring", *CROSS_CUTTING},
    "wiring": {"domain", "schemas", "services", "dal", "wiring", *CROSS_CUTTING},
    "settings": {"package"},
    "observability": set(),
    "package": set(),
}
"""Per role of the layer, the roles of the layer it may import ("package": its __init__)."""
FRAMEWORKS = ("fastapi", "starlette", "mangum", "boto3", "botocore", "mypy_boto3_")
AWS_SDK = ("boto3", "botocore", "mypy_boto3_")
NO_THIRD_PARTY: dict[str, tuple[str, ...]] = {
    "domain": (*FRAMEWORKS, "aws_lambda_powertools", "pydantic"),
    "schemas": (*FRAMEWORKS, "aws_lambda_powertools"),
    "services": (*FRAMEWORKS, "aws_lambda_powertools"),
    "http": AWS_SDK,
    "consumers": AWS_SDK,
    "wiring": AWS_SDK,
}
"""Per role, the libraries it must not import: the SDK only in dal/, frameworks only in the
adapters."""
ADAPTERS = ("http", "consumers")
ADAPTER_USERS = ("functions/", "devstack/", "tests/")
"""Outside the layer, only these may import http/ or consumers/ (entry modules, the local
stack, the tests); the operations commands, the CLI and the benchmark never do."""


@dataclass(frozen=True)
class Module:
    name: str  # dotted, or the path for entry modules nobody imports by name
    path: str  # relative to the repository
    source: str

    @property
    def package(self) -> str:
        return self.name if self.path.endswith("__init__.py") else self.name.rpartition(".")[0]


@dataclass(frozen=True)
class Import:
    module: Module
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.module.path}:{self.line} imports {self.target}"


def project_modules() -> list[Module]:
    roots = {
        "layers/shared": "layers/shared/warehouse_inventory",
        "devstack": "devstack/warehouse_devstack",
        "ops": "ops/warehouse_ops",
        "cli": "cli/warehouse_cli",
        ".": "tests",
    }
    modules = []
    for base, folder in [*roots.items(), (".", "bench")]:
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            relative = path.relative_to(REPO_ROOT / base).with_suffix("")
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            location = str(path.relative_to(REPO_ROOT))
            modules.append(Module(".".join(parts), location, path.read_text()))
    for path in sorted([*REPO_ROOT.glob("functions/*/*.py"), REPO_ROOT / "devstack/sam_entry.py"]):
        name = str(path.relative_to(REPO_ROOT))
        modules.append(Module(name, name, path.read_text()))
    return modules


def imports_of(module: Module, known: set[str]) -> Iterator[Import]:
    """Every import in the module, wherever it is; `from a import b` names `a.b` when that is a
    module of ours."""
    for node in ast.walk(ast.parse(module.source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.package.split(".")
                anchor = ".".join(package[: len(package) - node.level + 1])
                base = f"{anchor}.{base}".rstrip(".")
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield Import(module, submodule if submodule in known else base, node.lineno)


def role(name: str) -> str | None:
    """The role of a module of the layer, None outside it; `services.ports` is its own."""
    parts = name.split(".")
    if parts[0] != LAYER:
        return None
    if len(parts) == 1:
        return "package"
    if parts[1:3] == ["services", "ports"]:
        return "services.ports"
    return parts[1]


def uses(top: str, library: str) -> bool:
    """`mypy_boto3_` stands for every package of that prefix."""
    return top == library or (library.endswith("_") and top.startswith(library))


def layer_direction(imported: Import, importer: str | None, target: str | None) -> str | None:
    if importer in {None, "services.ports"} or target is None:
        return None
    permitted = MAY_IMPORT[importer or ""]
    if target in permitted or (target == "services.ports" and "services" in permitted):
        return None
    return f"{importer}/ may not import {target}"


def ports_name_types_only(imported: Import, importer: str | None, target: str | None) -> str | None:
    if importer == "services.ports" and target not in {None, "domain", "schemas"}:
        return "the ports may only name domain and schema types"
    return None


def libraries(imported: Import, importer: str | None, target: str | None) -> str | None:
    top = imported.target.split(".")[0]
    if any(uses(top, library) for library in NO_THIRD_PARTY.get(importer or "", ())):
        return f"{importer}/ may not use {top}"
    return None


def adapters_from_entry_points(
    imported: Import, importer: str | None, target: str | None
) -> str | None:
    if (
        importer is None
        and target in ADAPTERS
        and not imported.module.path.startswith(ADAPTER_USERS)
    ):
        return f"only functions, devstack and tests use {target}/"
    return None


def cli_uses_domain_only(imported: Import, importer: str | None, target: str | None) -> str | None:
    if imported.module.path.startswith("cli/") and target not in {None, "package", "domain"}:
        return "the CLI may use the layer's domain/ only"
    return None


def helpers_from_support(imported: Import, importer: str | None, target: str | None) -> str | None:
    if imported.target.split(".")[0] == "tests" and not imported.target.startswith("tests.support"):
        return "shared test helpers live in tests/support"
    return None


RULES: list[Callable[[Import, str | None, str | None], str | None]] = [
    layer_direction,
    ports_name_types_only,
    libraries,
    adapters_from_entry_points,
    cli_uses_domain_only,
    helpers_from_support,
]


def violations(modules: list[Module]) -> list[str]:
    known = {module.name for module in modules}
    return [
        f"{imported}: {complaint}"
        for module in modules
        for imported in imports_of(module, known)
        for rule in RULES
        if (complaint := rule(imported, role(module.name), role(imported.target)))
    ]


@pytest.fixture(scope="module")
def modules() -> list[Module]:
    return project_modules()


def test_the_layer_has_a_module_in_every_role(modules: list[Module]) -> None:
    roles = {role(module.name) for module in modules} - {None}
    assert roles == set(MAY_IMPORT) | {"services.ports"}


def test_every_import_goes_the_allowed_way(modules: list[Module]) -> None:
    assert violations(modules) == []


WRONG_IMPORTS = {
    "a service reaching DynamoDB inside a function": (
        "warehouse_inventory.services.example",
        "def f():\n    from warehouse_inventory.dal import keys\n",
        "services/ may not import dal",
    ),
    "the domain naming a FastAPI type for the type checker": (
        "warehouse_inventory.domain.example",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fastapi import Request\n",
        "domain/ may not use fastapi",
    ),
    "the domain importing a schema": (
        "warehouse_inventory.domain.example",
        "from warehouse_inventory.schemas.base import Sku\n",
        "domain/ may not import schemas",
    ),
    "a route building its repository": (
        "warehouse_inventory.http.routes.example",
        "from warehouse_inventory.dal.stock_repository import DynamoDBInventoryRepository\n",
        "http/ may not import dal",
    ),
    "a consumer using the HTTP layer": (
        "warehouse_inventory.consumers.example",
        "from warehouse_inventory.http import error_responses\n",
        "consumers/ may not import http",
    ),
    "the data layer calling back into the wiring": (
        "warehouse_inventory.dal.example",
        "from warehouse_inventory import wiring\n",
        "dal/ may not import wiring",
    ),
    "an operations command using a consumer": (
        "warehouse_ops.example",
        "from warehouse_inventory.consumers.projector import project\n",
        "only functions, devstack and tests use consumers/",
    ),
    "a test importing a helper from another test module": (
        "tests.unit.test_example",
        "from tests.integration.moto.conftest import Api\n",
        "shared test helpers live in tests/support",
    ),
}


@pytest.mark.parametrize("case", WRONG_IMPORTS)
def test_a_wrong_import_is_caught(modules: list[Module], case: str) -> None:
    name, source, complaint = WRONG_IMPORTS[case]
    root = {"warehouse_inventory": "layers/shared/", "warehouse_ops": "ops/"}.get(
        name.split(".")[0], ""
    )
    path = root + name.replace(".", "/") + ".py"
    found = violations([*modules, Module(name, path, source)])
    (complained,) = [line for line in found if line.startswith(f"{path}:")]
    assert complained.endswith(complaint)
