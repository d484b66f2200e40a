"""Lambda's event filtering for event source mappings: `FilterCriteria` patterns, matched against
each record as Lambda delivers it, so the local stack drops exactly what Lambda would drop.

A subset of the EventBridge pattern syntax: nested objects, lists of exact values (a string,
number, boolean or null), and the operators `prefix`, `suffix`, `exists` and `anything-but`.
An operator outside the subset is refused when the stack starts, never silently ignored.
"""

import json
from collections.abc import Callable
from typing import Any

Pattern = dict[str, Any]
_MISSING = object()


def _prefix(operand: Any, value: Any) -> bool:
    return isinstance(value, str) and value.startswith(operand)


def _suffix(operand: Any, value: Any) -> bool:
    return isinstance(value, str) and value.endswith(operand)


def _exists(operand: Any, value: Any) -> bool:
    return (value is not _MISSING) == bool(operand)


def _anything_but(operand: Any, value: Any) -> bool:
    excluded = operand if isinstance(operand, list) else [operand]
    return value is not _MISSING and value not in excluded


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "prefix": _prefix,
    "suffix": _suffix,
    "exists": _exists,
    "anything-but": _anything_but,
}


def parse_patterns(filter_criteria: dict[str, Any] | None) -> list[Pattern]:
    """The patterns of a `FilterCriteria` property (each `Pattern` is a JSON string)."""
    patterns = []
    for entry in (filter_criteria or {}).get("Filters", []):
        raw = entry["Pattern"]
        pattern = json.loads(raw) if isinstance(raw, str) else raw
        validate(pattern)
        patterns.append(pattern)
    return patterns


def validate(pattern: Pattern) -> None:
    """Refuse what `matches` would not understand."""
    for key, expected in pattern.items():
        if isinstance(expected, dict):
            validate(expected)
        elif not isinstance(expected, list):
            raise ValueError(f"filter pattern field {key!r} must be an object or a list")
        else:
            for condition in expected:
                if isinstance(condition, dict) and (
                    len(condition) != 1 or next(iter(condition)) not in OPERATORS
                ):
                    raise ValueError(f"unsupported filter condition {condition!r} on {key!r}")


def matches_any(patterns: list[Pattern], record: dict[str, Any]) -> bool:
    """No patterns: every record passes; otherwise one matching pattern is enough."""
    return not patterns or any(matches(pattern, record) for pattern in patterns)


def matches(pattern: Pattern, value: Any) -> bool:
    """Every field of the pattern must match the record's field at the same path."""
    fields = value if isinstance(value, dict) else {}
    for key, expected in pattern.items():
        actual = fields.get(key, _MISSING)
        if isinstance(expected, dict):
            if not matches(expected, actual):
                return False
        elif not _leaf_matches(expected, actual):
            return False
    return True


def _leaf_matches(conditions: list[Any], actual: Any) -> bool:
    """A list in the record matches when one of its elements does, as in EventBridge."""
    values = actual if isinstance(actual, list) else [actual]
    return any(_condition(condition, value) for condition in conditions for value in values)


def _condition(condition: Any, value: Any) -> bool:
    if isinstance(condition, dict):
        ((operator, operand),) = condition.items()
        return OPERATORS[operator](operand, value)
    return value is not _MISSING and type(value) is type(condition) and value == condition
