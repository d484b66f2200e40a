"""Run by the SAM CLI's own Python (.venv-sam, where SAM's translator lives): template.yaml
through SAM's translator with the parameter values given as JSON, as CloudFormation's
AWS::Serverless transform does at deploy time. Prints, as JSON, each function's published
version (its logical id: a new one means a new version is published) and description.

    .venv-sam/bin/python tests/support/sam_translate.py template.yaml '{"LogLevel": "DEBUG"}'
"""

import json
import sys
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no AWS managed policy, so nothing has to be looked up in IAM."""

    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict[str, Any]) -> dict[str, Any]:
    """Code and layer folders replaced by S3 locations, as `sam package` leaves them (the
    same for the same code: a change of code alone is not what is tested here)."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        for name in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(name), str):
                properties[name] = f"s3://artifacts/{logical_id}"
    return template


def versions(template_path: str, parameters: dict[str, Any]) -> dict[str, dict[str, Any]]:
    template = packaged(yaml_parse(Path(template_path).read_text()))
    translated = transform(template, parameters, NoManagedPolicies())
    resources: dict[str, dict[str, Any]] = translated["Resources"]
    found: dict[str, dict[str, Any]] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Version":
            function = resource["Properties"]["FunctionName"]["Ref"]
            found.setdefault(function, {})["version"] = logical_id
            found[function]["deletion_policy"] = resource.get("DeletionPolicy")
    for function, entry in found.items():
        properties = resources[function]["Properties"]
        entry["description"] = properties.get("Description")
        entry["snap_start"] = properties.get("SnapStart")
    return found


if __name__ == "__main__":
    json.dump(versions(sys.argv[1], json.loads(sys.argv[2])), sys.stdout, indent=1)
