"""Sections written from template.yaml and samconfig.toml: functions, tables, queues, event
sources, alarms, parameters, outputs, environments, checkov skips."""

import json
import tomllib
from collections.abc import Callable
from typing import Any

from warehouse_devstack.docs.markdown import DASH, TIMES, code, duration, table
from warehouse_devstack.template import REPO_ROOT, Template, load_template

SAMCONFIG = REPO_ROOT / "samconfig.toml"
ALARM = "AWS::CloudWatch::Alarm"
PER_FUNCTION_METRICS = ("Errors", "Throttles")
MILLISECOND_METRICS = frozenset({"IteratorAge"})
COMPARISONS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": "≥",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "≤",
}


def shown(value: Any) -> str:
    """An intrinsic as a reader names it: `!Ref X` and `!GetAtt X.Arn` are X."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
        if "Fn::Sub" in value:
            sub = value["Fn::Sub"]
            return str(sub if isinstance(sub, str) else sub[0])
    return str(value)


def parameter_default(template: Template, name: str) -> str:
    default = template.document["Parameters"][name].get("Default", "")
    return f"{name} (default {default})" if default != "" else name


def _functions(template: Template) -> dict[str, dict[str, Any]]:
    return template.resources_of_type("AWS::Serverless::Function")


def _globals(template: Template) -> dict[str, Any]:
    properties: dict[str, Any] = template.document["Globals"]["Function"]
    return properties


def function_triggers(template: Template, name: str, resource: dict[str, Any]) -> str:
    authorizer = template.authorizer()
    if authorizer is not None and authorizer.function_id == name:
        return f"API Gateway's TOKEN authorizer ({code(authorizer.identity_header)} header)"
    triggers = []
    for event in resource["Properties"].get("Events", {}).values():
        properties = event["Properties"]
        if event["Type"] == "Api" and properties["Method"] != "options":
            triggers.append(code(f"{properties['Method'].upper()} {properties['Path']}"))
        elif event["Type"] == "DynamoDB":
            triggers.append(f"{shown(properties['Stream'])} stream")
        elif event["Type"] == "SQS":
            triggers.append(shown(properties["Queue"]))
    return ", ".join(triggers)


def functions_section() -> str:
    template = load_template()
    defaults = _globals(template)
    rows = []
    for name, resource in _functions(template).items():
        properties = resource["Properties"]
        rows.append(
            [
                name,
                function_triggers(template, name, resource),
                f"{template.resolve(properties.get('Timeout', defaults['Timeout']))} s",
                f"{properties.get('MemorySize', defaults['MemorySize'])} MB",
                code(str(properties["CodeUri"]).rstrip("/") + "/"),
            ]
        )
    return table(["function", "runs on", "timeout", "memory", "code"], rows) + (
        f"\n\nEvery function: {defaults['Runtime']}, tracing {defaults['Tracing']}, JSON logs, "
        f"the {shown(defaults['Layers'][0])} layer."
    )


def _key(schema: list[dict[str, str]]) -> str:
    return " + ".join(code(part["AttributeName"]) for part in schema)


def tables_section() -> str:
    template = load_template()
    rows = []
    for name, resource in template.resources_of_type("AWS::DynamoDB::Table").items():
        properties = resource["Properties"]
        indexes = "; ".join(
            f"{code(index['IndexName'])} ({_key(index['KeySchema'])})"
            for index in properties.get("GlobalSecondaryIndexes", [])
        )
        extras = []
        if "StreamSpecification" in properties:
            extras.append(f"stream {properties['StreamSpecification']['StreamViewType']}")
        if "TimeToLiveSpecification" in properties:
            extras.append(f"TTL on {code(properties['TimeToLiveSpecification']['AttributeName'])}")
        pitr = properties.get("PointInTimeRecoverySpecification", {})
        if pitr.get("PointInTimeRecoveryEnabled"):
            extras.append("point-in-time recovery")
        if properties.get("DeletionProtectionEnabled"):
            extras.append("deletion protection")
        extras.append(f"DeletionPolicy {resource.get('DeletionPolicy', 'Delete')}")
        rows.append([name, _key(properties["KeySchema"]), indexes or DASH, ", ".join(extras)])
    return table(["table", "key", "indexes", "settings"], rows)


def queues_section() -> str:
    template = load_template()
    rows = []
    for name, resource in template.resources_of_type("AWS::SQS::Queue").items():
        properties = resource["Properties"]
        redrive = properties.get("RedrivePolicy")
        rows.append(
            [
                name,
                duration(int(properties.get("VisibilityTimeout", 30))),
                duration(int(properties.get("MessageRetentionPeriod", 345_600))),
                f"after {redrive['maxReceiveCount']} receives to "
                f"{shown(redrive['deadLetterTargetArn'])}"
                if redrive
                else DASH,
            ]
        )
    notes = [
        f"{shown(source['Queue'])}'s visibility timeout is "
        f"{visibility // timeout} {TIMES} {function}'s timeout ({visibility} s / {timeout} s)."
        for function, source, visibility, timeout in _queue_consumers(template)
    ]
    return "\n".join(
        [table(["queue", "visibility", "retention", "dead letters"], rows), "", *notes]
    )


def _queue_consumers(template: Template) -> list[tuple[str, dict[str, Any], int, int]]:
    queues = template.resources_of_type("AWS::SQS::Queue")
    found = []
    for function, properties, source in _event_sources(template, "SQS"):
        queue = queues[shown(source["Queue"])]["Properties"]
        timeout = int(template.resolve(properties.get("Timeout", _globals(template)["Timeout"])))
        found.append((function, source, int(queue.get("VisibilityTimeout", 30)), timeout))
    return found


def _event_sources(
    template: Template, kind: str
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (name, resource["Properties"], event["Properties"])
        for name, resource in _functions(template).items()
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == kind
    ]


def stream_filter(source: dict[str, Any]) -> str:
    patterns = [
        json.loads(f["Pattern"]) for f in source.get("FilterCriteria", {}).get("Filters", [])
    ]
    shown_patterns = []
    for pattern in patterns:
        events = ", ".join(pattern.get("eventName", []))
        prefixes = [
            f"{attribute} begins with {code(rule['prefix'])}"
            for attribute, typed in pattern.get("dynamodb", {}).get("Keys", {}).items()
            for rules in typed.values()
            for rule in rules
            if isinstance(rule, dict) and "prefix" in rule
        ]
        shown_patterns.append(" where ".join(filter(None, [events, ", ".join(prefixes)])))
    return "; ".join(shown_patterns) or "every record"


def retries(source: dict[str, Any]) -> str:
    attempts = source.get("MaximumRetryAttempts", -1)
    return "until the records expire (-1)" if attempts == -1 else str(attempts)


def event_sources_section() -> str:
    template = load_template()
    rows = []
    for function, _, source in _event_sources(template, "DynamoDB"):
        rows.append(
            [
                f"{shown(source['Stream'])} stream → {function}",
                str(source.get("BatchSize", 100)),
                f"{source.get('MaximumBatchingWindowInSeconds', 0)} s",
                stream_filter(source),
                retries(source),
                "yes" if source.get("BisectBatchOnFunctionError") else "no",
                shown(source["DestinationConfig"]["OnFailure"]["Destination"])
                if "DestinationConfig" in source
                else DASH,
            ]
        )
    queues = template.resources_of_type("AWS::SQS::Queue")
    for function, _, source in _event_sources(template, "SQS"):
        redrive = queues[shown(source["Queue"])]["Properties"].get("RedrivePolicy")
        rows.append(
            [
                f"{shown(source['Queue'])} → {function}",
                str(source.get("BatchSize", 10)),
                f"{source.get('MaximumBatchingWindowInSeconds', 0)} s",
                "every message",
                f"{redrive['maxReceiveCount']} receives" if redrive else "until retention ends",
                DASH,
                shown(redrive["deadLetterTargetArn"]) if redrive else DASH,
            ]
        )
    header = ["source → function", "batch", "window", "filter", "retries", "bisect", "on failure"]
    partial = sorted(
        function
        for kind in ("DynamoDB", "SQS")
        for function, _, source in _event_sources(template, kind)
        if "ReportBatchItemFailures" in source.get("FunctionResponseTypes", [])
    )
    return table(header, rows) + (
        f"\n\nPartial batch responses (`ReportBatchItemFailures`): {', '.join(partial)}."
    )


def _watched(template: Template, properties: dict[str, Any]) -> str:
    if "Metrics" not in properties:
        dimensions = ", ".join(shown(d["Value"]) for d in properties.get("Dimensions", []))
        return f"{properties['Statistic']} {code(properties['MetricName'])} of {dimensions}"
    metrics = {query["Id"]: query for query in properties["Metrics"]}
    (result,) = [query for query in properties["Metrics"] if query.get("ReturnData", True)]
    inputs = ", ".join(
        f"{ident} = {stat['Stat']} {code(stat['Metric']['MetricName'])}"
        for ident, query in metrics.items()
        if (stat := query.get("MetricStat"))
    )
    return f"{code(result['Expression'])} with {inputs}"


def _period(properties: dict[str, Any]) -> int:
    if "Period" in properties:
        return int(properties["Period"])
    return int(next(q["MetricStat"]["Period"] for q in properties["Metrics"] if "MetricStat" in q))


def _fires_when(template: Template, properties: dict[str, Any]) -> str:
    threshold = properties["Threshold"]
    shown_threshold = (
        parameter_default(template, threshold["Ref"])
        if isinstance(threshold, dict)
        else f"{threshold} ms ({duration(int(threshold) // 1000)})"
        if properties.get("MetricName") in MILLISECOND_METRICS
        else str(threshold)
    )
    evaluation = int(properties["EvaluationPeriods"])
    datapoints = int(properties.get("DatapointsToAlarm", evaluation))
    period = duration(_period(properties))
    periods = (
        period
        if evaluation == 1
        else f"{evaluation} consecutive periods of {period}"
        if datapoints == evaluation
        else f"{datapoints} of {evaluation} periods of {period}"
    )
    return f"{COMPARISONS[properties['ComparisonOperator']]} {shown_threshold} over {periods}"


def _per_function(properties: dict[str, Any]) -> str | None:
    """The metric of an alarm the template repeats for every function, else None."""
    dimensions = properties.get("Dimensions", [])
    if (
        properties.get("Namespace") == "AWS/Lambda"
        and properties.get("MetricName") in PER_FUNCTION_METRICS
        and [d["Name"] for d in dimensions] == ["FunctionName"]
    ):
        return str(properties["MetricName"])
    return None


def alarms_section() -> str:
    template = load_template()
    rows, repeated = [], dict[str, list[str]]()
    for name, resource in template.resources_of_type(ALARM).items():
        properties = resource["Properties"]
        metric = _per_function(properties)
        if metric is not None:
            repeated.setdefault(metric, []).append(name)
            if len(repeated[metric]) > 1:
                continue
            rows.append(
                [
                    f"`<Function>{metric}Alarm`, one per function",
                    f"{properties['Statistic']} {code(metric)} of the function",
                    _fires_when(template, properties),
                    f"The function's {metric.lower()}.",
                ]
            )
            continue
        rows.append(
            [
                name,
                _watched(template, properties),
                _fires_when(template, properties),
                " ".join(str(properties.get("AlarmDescription", "")).split()),
            ]
        )
    counts = ", ".join(f"{len(names)} {metric} alarms" for metric, names in repeated.items())
    return table(["alarm", "watches", "fires when", "meaning"], rows) + (
        f"\n\n{len(template.resources_of_type(ALARM))} alarms in all ({counts}); each notifies "
        "`AlarmTopicArn` when it is set."
    )


def parameters_section() -> str:
    template = load_template()
    rows = []
    for name, spec in template.document["Parameters"].items():
        rule = _allowed(spec)
        default = spec.get("Default", "")
        rows.append(
            [
                code(name),
                code(str(default)) if default != "" else "empty",
                rule or DASH,
                " ".join(str(spec.get("Description", "")).split()) or DASH,
            ]
        )
    return table(["parameter", "default", "allowed", "meaning"], rows)


def _allowed(spec: dict[str, Any]) -> str:
    allowed = spec.get("AllowedValues")
    if allowed:
        listed = ", ".join(map(str, allowed))
        return (
            listed if len(allowed) <= 6 else f"one of {len(allowed)}: {allowed[0]} … {allowed[-1]}"
        )
    low, high = spec.get("MinValue"), spec.get("MaxValue")
    if low is not None and high is not None:
        return f"{low} … {high}"
    return f"≥ {low}" if low is not None else ""


def outputs_section() -> str:
    template = load_template()
    rows = [
        [code(name), " ".join(str(output.get("Description", "")).split()) or DASH]
        for name, output in template.document["Outputs"].items()
    ]
    return table(["output", "what it is"], rows)


def environments_section() -> str:
    with SAMCONFIG.open("rb") as file:
        config = tomllib.load(file)
    rows = []
    for environment, commands in config.items():
        if not isinstance(commands, dict):
            continue
        deploy = commands.get("deploy", {}).get("parameters", {})
        rows.append(
            [
                code(environment),
                code(commands["global"]["parameters"]["stack_name"]),
                code(deploy.get("parameter_overrides", "")),
                "yes" if deploy.get("confirm_changeset") else "no",
            ]
        )
    return table(["--config-env", "stack", "parameter overrides", "confirm changeset"], rows)


def checkov_skips_section() -> str:
    template = load_template()
    skips: dict[str, tuple[list[str], str]] = {}
    for name, resource in template.resources.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            reason = " ".join(str(skip["comment"]).split()).split(". ")[0].rstrip(".")
            skips.setdefault(skip["id"], ([], reason))[0].append(name)
    functions = set(_functions(template))
    rows = [
        [code(check), _resources(names, functions), reason + "."]
        for check, (names, reason) in sorted(skips.items())
    ]
    return table(["check", "skipped on", "why"], rows)


def _resources(names: list[str], functions: set[str]) -> str:
    if set(names) == functions:
        return f"every function ({len(names)})"
    return ", ".join(names)


WRITERS: dict[str, Callable[[], str]] = {
    "functions": functions_section,
    "tables": tables_section,
    "queues": queues_section,
    "event-sources": event_sources_section,
    "alarms": alarms_section,
    "parameters": parameters_section,
    "stack-outputs": outputs_section,
    "environments": environments_section,
    "checkov-skips": checkov_skips_section,
}
