"""The functions' IAM statements from template.yaml as (action, resource) grants, with resources
named by logical id: `!GetAtt InventoryTable.Arn` -> `InventoryTable`,
`!Sub "${TokensTable.Arn}/index/active"` -> `TokensTable/index/active`, and an ARN parameter by
its name: `!Ref KmsKeyArn` -> `KmsKeyArn`. A statement under a condition
(`!If [Cond, {statement}, !Ref AWS::NoValue]`) counts as granted: the review covers it too."""

import re
from fnmatch import fnmatchcase
from typing import Any

from warehouse_devstack.template import Template

Grant = tuple[str, str]

_ARN_VARIABLE = re.compile(r"^\$\{([A-Za-z0-9]+)\.Arn\}(.*)$")


class UnsupportedPolicy(ValueError):
    """A policy form the check cannot read exactly (managed policies, SAM policy templates)."""


def resource_name(resource: Any) -> str:
    if resource == "*":
        return "*"
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        target = resource["Fn::GetAtt"]
        logical_id, attribute = target if isinstance(target, list) else target.split(".", 1)
        if attribute == "Arn":
            return str(logical_id)
    if isinstance(resource, dict) and set(resource) == {"Ref"} and resource["Ref"].endswith("Arn"):
        return str(resource["Ref"])
    if isinstance(resource, dict) and isinstance(resource.get("Fn::Sub"), str):
        found = _ARN_VARIABLE.match(resource["Fn::Sub"])
        if found:
            return found[1] + found[2]
    raise UnsupportedPolicy(f"resource {resource!r} is not an ARN of a template resource")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _unconditional(statement: Any) -> Any:
    """The statement of `!If [Cond, statement, !Ref AWS::NoValue]`; any other form is itself."""
    if isinstance(statement, dict) and set(statement) == {"Fn::If"}:
        _, granted, otherwise = statement["Fn::If"]
        if otherwise != {"Ref": "AWS::NoValue"}:
            raise UnsupportedPolicy(f"{statement!r}: only `else nothing` conditions are readable")
        return granted
    return statement


def function_grants(properties: dict[str, Any]) -> set[Grant]:
    """Every Allow of a function's `Policies`; raises for anything not plain statements."""
    if "Role" in properties:
        raise UnsupportedPolicy("a custom Role hides the function's permissions from review")
    grants: set[Grant] = set()
    for policy in _as_list(properties.get("Policies", [])):
        if not isinstance(policy, dict) or set(policy) - {"Statement", "Version"}:
            raise UnsupportedPolicy(
                f"{policy!r}: use inline statements, not managed policies or SAM policy templates"
            )
        for statement in map(_unconditional, _as_list(policy["Statement"])):
            if statement["Effect"] != "Allow" or set(statement) != {"Effect", "Action", "Resource"}:
                raise UnsupportedPolicy(f"unexpected statement {statement!r}")
            grants |= {
                (str(action), resource_name(resource))
                for action in _as_list(statement["Action"])
                for resource in _as_list(statement["Resource"])
            }
    return grants


def template_grants(template: Template) -> dict[str, set[Grant]]:
    return {
        name: function_grants(resource["Properties"])
        for name, resource in template.resources_of_type("AWS::Serverless::Function").items()
    }


def allows(grants: set[Grant], action: str, resource: str) -> bool:
    """IAM matching on the normalised names: `*` spans any characters."""
    return any(
        fnmatchcase(action, granted_action) and fnmatchcase(resource, granted_resource)
        for granted_action, granted_resource in grants
    )
