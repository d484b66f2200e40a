"""Metrics as the handlers print them: CloudWatch embedded metric format, one JSON object per
line on stdout (Powertools' Metrics)."""

import json
from typing import Any

from warehouse_devstack.template import Template


def emitted(output: str) -> list[dict[str, Any]]:
    """Every EMF record printed: {"_aws": {...}, "<dimension>": ..., "<metric>": [values]}."""
    records = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            records.append(json.loads(line))
    return records


def metric_values(records: list[dict[str, Any]], name: str) -> list[tuple[dict[str, str], Any]]:
    """(dimensions, value) of every record that carries metric `name`."""
    found = []
    for record in records:
        (directive,) = record["_aws"]["CloudWatchMetrics"]
        if any(metric["Name"] == name for metric in directive["Metrics"]):
            dimensions = {key: record[key] for group in directive["Dimensions"] for key in group}
            found.append((dimensions | {"namespace": directive["Namespace"]}, record[name]))
    return found


def expected_dimensions(template: Template) -> dict[str, str]:
    environment = template.function("PickFunction").environment
    return {
        "service": environment["POWERTOOLS_SERVICE_NAME"],
        "namespace": environment["POWERTOOLS_METRICS_NAMESPACE"],
    }
