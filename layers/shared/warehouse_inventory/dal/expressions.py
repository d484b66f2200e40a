"""The one builder of DynamoDB updates: an expression with placeholders for every name and
value, and the request (UpdateItem, or a transaction's Update) that carries it."""

from dataclasses import dataclass, field
from typing import Any

from warehouse_inventory.dal.dynamodb import to_attribute


@dataclass
class Expression:
    """Update and condition expressions with placeholders for every name and value, so no
    attribute ever collides with a DynamoDB reserved word."""

    sets: list[str] = field(default_factory=list)
    adds: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def name(self, path: str) -> str:
        """`a.b` -> `#a.#b`."""
        parts = []
        for part in path.split("."):
            self.names[f"#{part}"] = part
            parts.append(f"#{part}")
        return ".".join(parts)

    def value(self, key: str, value: Any) -> str:
        self.values[f":{key}"] = value if _is_attribute(value) else to_attribute(value)
        return f":{key}"

    def set(self, attribute: str, value: Any) -> "Expression":
        self.sets.append(f"{self.name(attribute)} = {self.value(attribute, value)}")
        return self

    def set_if_absent(self, attribute: str, value: Any) -> "Expression":
        name = self.name(attribute)
        self.sets.append(f"{name} = if_not_exists({name}, {self.value(attribute, value)})")
        return self

    def set_raw(self, clause: str) -> "Expression":
        self.sets.append(clause)
        return self

    def add(self, attribute: str, amount: int) -> "Expression":
        self.adds.append(f"{self.name(attribute)} {self.value(attribute, amount)}")
        return self

    def remove(self, attribute: str) -> "Expression":
        self.removes.append(self.name(attribute))
        return self

    def update_expression(self) -> str:
        clauses = [("SET", self.sets), ("ADD", self.adds), ("REMOVE", self.removes)]
        return " ".join(f"{verb} {', '.join(parts)}" for verb, parts in clauses if parts)

    def update(
        self, table: str, key: dict[str, Any], condition: str | None = None, **options: Any
    ) -> dict[str, Any]:
        """The parameters of an UpdateItem of `key` (or of a transaction's `Update`), with the
        condition and further `options` (ReturnValues, ...) when given."""
        request: dict[str, Any] = {
            "TableName": table,
            "Key": key,
            "UpdateExpression": self.update_expression(),
            "ExpressionAttributeNames": self.names,
            **options,
        }
        if self.values:
            request["ExpressionAttributeValues"] = self.values
        if condition:
            request["ConditionExpression"] = condition
        return request


def _is_attribute(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in {"M", "S", "N"}
