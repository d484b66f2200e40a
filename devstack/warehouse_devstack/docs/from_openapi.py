"""Sections written from openapi.json, the document the API serves (itself tested fresh against
the code): routes with their roles and answers, request fields, parameters, error codes."""

import json
import math
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from warehouse_devstack.docs.markdown import DASH, code, number, table
from warehouse_devstack.template import REPO_ROOT
from warehouse_inventory.domain.access import Role

LOWEST_ROLE = min(Role, key=lambda role: role.rank)
OPENAPI_FILE = REPO_ROOT / "openapi.json"
SCHEMA_REF = "#/components/schemas/"
ROLE_NOTE = re.compile(r"needs the `(?P<role>[a-z]+)` role")
CODES = re.compile(r"`([a-z_]+)`")
PUBLIC = "none (public)"


@cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(OPENAPI_FILE.read_text())
    return loaded


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation), ordered by path then method."""
    for path, methods in sorted(document()["paths"].items()):
        for method, operation in sorted(methods.items()):
            yield method.upper(), path, operation


def schema_named(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document()["components"]["schemas"][name]
    return schema


def ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return str(ref).removeprefix(SCHEMA_REF) if ref else None


def role(operation: dict[str, Any]) -> str:
    """The minimum role, as the 403 answer of the operation states it; without a 403 every
    token may call it: the lowest role."""
    if not operation.get("security"):
        return PUBLIC
    forbidden = operation["responses"].get("403")
    if forbidden is None:
        return str(LOWEST_ROLE)
    match = ROLE_NOTE.search(forbidden["description"])
    return match["role"] if match else "any token"


def error_statuses(operation: dict[str, Any]) -> list[str]:
    return sorted(status for status in operation["responses"] if status[0] in "45")


def success_statuses(operation: dict[str, Any]) -> list[str]:
    return sorted(status for status in operation["responses"] if status.startswith("2"))


def request_model(operation: dict[str, Any]) -> str | None:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    return ref_name(schema)


def response_model(operation: dict[str, Any], status: str) -> str | None:
    content = operation["responses"][status].get("content", {})
    return ref_name(content.get("application/json", {}).get("schema", {}))


def routes_section() -> str:
    rows = []
    for method, path, operation in operations():
        answers = []
        for status in success_statuses(operation):
            model = response_model(operation, status)
            answers.append(f"{status} {model}" if model else status)
        rows.append(
            [
                code(f"{method} {path}"),
                role(operation),
                request_model(operation) or DASH,
                ", ".join(answers),
                " ".join(error_statuses(operation)),
                operation.get("summary", ""),
            ]
        )
    return table(["operation", "minimum role", "body", "success", "errors", "summary"], rows)


def error_statuses_section() -> str:
    """Every error status any operation declares, with the contract codes it carries there."""
    statuses: dict[str, dict[str, None]] = {}
    for _, _, operation in operations():
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                codes = CODES.findall(ROLE_NOTE.sub("", response["description"]))
                statuses.setdefault(status, {}).update(dict.fromkeys(codes))
    rows = [
        [status, ", ".join(code(c) for c in sorted(codes))]
        for status, codes in sorted(statuses.items())
    ]
    return table(["status", "error codes"], rows)


def error_codes() -> set[str]:
    """Every error code the document names (what the API reference must explain)."""
    return {
        found
        for _, _, operation in operations()
        for status, response in operation["responses"].items()
        if not status.startswith("2")
        for found in CODES.findall(ROLE_NOTE.sub("", response["description"]))
    }


def rule(schema: dict[str, Any]) -> str:
    """A field's constraints in words: type, bounds, length, pattern, values, default."""
    variants = schema.get("anyOf")
    if variants:
        shown = [rule(v) for v in variants if v.get("type") != "null"]
        nullable = any(v.get("type") == "null" for v in variants)
        text = " or ".join(shown) + (" or null" if nullable else "")
        return text + _default(schema)
    name = ref_name(schema)
    if name is not None:
        target = schema_named(name)
        if "enum" in target:
            return "one of " + ", ".join(code(str(v)) for v in target["enum"]) + _default(schema)
        return name
    kind = schema.get("type", "any")
    parts = [kind]
    if kind == "integer":
        parts.append(bounds(schema))
    if kind == "string":
        parts.append(_length(schema))
        if "pattern" in schema:
            parts.append(code(schema["pattern"]))
        if "format" in schema:
            parts.append(f"({schema['format']})")
    return " ".join(part for part in parts if part) + _default(schema)


def bounds(schema: dict[str, Any]) -> str:
    low = schema.get("minimum")
    if "exclusiveMinimum" in schema:
        low = math.floor(schema["exclusiveMinimum"]) + 1
    high = schema.get("maximum")
    if low is None and high is None:
        return ""
    shown_low = number(int(low)) if low is not None else "…"
    shown_high = number(int(high)) if high is not None else "…"
    return f"{shown_low} … {shown_high}"


def _length(schema: dict[str, Any]) -> str:
    low, high = schema.get("minLength"), schema.get("maxLength")
    if low is None and high is None:
        return ""
    if low is None:
        return f"of at most {high} characters"
    if high is None:
        return f"of at least {low} characters"
    return f"of {low}{DASH}{high} characters"


def _default(schema: dict[str, Any]) -> str:
    return f", default {code(json.dumps(schema['default']))}" if "default" in schema else ""


def _request_models() -> dict[str, list[str]]:
    """Request body model -> the operations that take it."""
    models: dict[str, list[str]] = {}
    for method, path, operation in operations():
        model = request_model(operation)
        if model:
            models.setdefault(model, []).append(f"{method} {path}")
    return models


def request_fields_section() -> str:
    rows = []
    for model in sorted(_request_models()):
        schema = schema_named(model)
        required = set(schema.get("required", []))
        for field, spec in schema["properties"].items():
            rows.append(
                [
                    model,
                    code(field) + ("" if field in required else " (optional)"),
                    rule(spec),
                    _description(spec),
                ]
            )
    return table(["body", "field", "rule", "note"], rows) + (
        "\n\nEvery body refuses fields it does not list."
        if all(_closed(schema_named(m)) for m in _request_models())
        else ""
    )


def _description(schema: dict[str, Any]) -> str:
    """The field's own description, else its text rule's (inside anyOf)."""
    texts = [schema.get("description")] + [v.get("description") for v in schema.get("anyOf", [])]
    return next((text for text in texts if text), "")


def _closed(schema: dict[str, Any]) -> bool:
    return schema.get("additionalProperties") is False


def _response_models() -> list[str]:
    """Every model a success answer uses, with the models those refer to, in document order."""
    found: list[str] = []
    pending = [
        model
        for _, _, operation in operations()
        for status in success_statuses(operation)
        if (model := response_model(operation, status))
    ]
    while pending:
        model = pending.pop(0)
        if model in found or "enum" in schema_named(model):
            continue
        found.append(model)
        pending += _referenced(schema_named(model))
    return sorted(found)


def _referenced(schema: dict[str, Any]) -> list[str]:
    text = json.dumps(schema)
    return [name for name in re.findall(r'"#/components/schemas/([A-Za-z]+)"', text)]


def response_models_section() -> str:
    rows = []
    for model in _response_models():
        properties = schema_named(model).get("properties", {})
        rows.append([model, ", ".join(code(name) for name in properties)])
    return table(["model", "fields"], rows)


def parameters_section() -> str:
    found: dict[tuple[str, str, str], list[str]] = {}
    for method, path, operation in operations():
        for parameter in operation.get("parameters", []):
            key = (parameter["name"], parameter["in"], rule(parameter["schema"]))
            found.setdefault(key, []).append(f"{method} {path}")
    rows = [
        [code(name), where, ", ".join(code(o) for o in used_by), shown_rule]
        for (name, where, shown_rule), used_by in sorted(found.items())
    ]
    return table(["parameter", "in", "operations", "rule"], rows)


def numeric_bounds_section() -> str:
    """Every integer a client sends, where, and its bounds."""
    rows: dict[tuple[str, str], list[str]] = {}
    for model, used_by in _request_models().items():
        for field, spec in schema_named(model)["properties"].items():
            for variant in spec.get("anyOf", [spec]):
                if variant.get("type") == "integer":
                    rows.setdefault((field, bounds(variant)), []).extend(used_by)
    for method, path, operation in operations():
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            if schema.get("type") == "integer":
                key = (parameter["name"], bounds(schema))
                rows.setdefault(key, []).append(f"{method} {path}")
    return table(
        ["field", "bounds", "sent to"],
        [
            [code(field), shown, ", ".join(code(o) for o in sorted(set(used_by)))]
            for (field, shown), used_by in sorted(rows.items())
        ],
    )


WRITERS: dict[str, Callable[[], str]] = {
    "routes": routes_section,
    "error-statuses": error_statuses_section,
    "request-fields": request_fields_section,
    "parameters-http": parameters_section,
    "response-models": response_models_section,
    "numeric-bounds": numeric_bounds_section,
}
