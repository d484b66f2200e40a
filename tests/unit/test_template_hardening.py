"""template.yaml's production settings, read the way CloudFormation would resolve them (conditions
included, with and without the optional parameters): architecture, JSON logs with retention and
key, encryption and protection of every table and queue, alarms and the dashboard. A new function,
table or queue that misses one of them fails here."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.shared.constants import LAMBDA_ADVANCED_LOGGING_LEVELS

from warehouse_devstack.template import REPO_ROOT, Template

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:warehouse-alarms"
ACCESS_LOG_FIELDS = {"requestId", "ip", "method", "path", "status", "latency", "principalId"}
LAYER_SOURCE = REPO_ROOT / "layers" / "shared" / "warehouse_inventory"


@pytest.fixture(scope="module")
def with_key() -> Template:
    return Template(parameter_overrides={"KmsKeyArn": KEY_ARN, "AlarmTopicArn": TOPIC_ARN})


def functions(template: Template) -> list[str]:
    return sorted(template.resources_of_type("AWS::Serverless::Function"))


def properties(template: Template, logical_id: str) -> dict[str, Any]:
    resolved: dict[str, Any] = template.resolve(template.resources[logical_id]["Properties"])
    return resolved


def globals_(template: Template) -> dict[str, Any]:
    found: dict[str, Any] = template.document["Globals"]["Function"]
    return found


def test_arm64_by_default_and_x86_64_selectable(template: Template) -> None:
    parameter = template.document["Parameters"]["Architecture"]
    assert parameter["Default"] == "arm64"
    assert sorted(parameter["AllowedValues"]) == ["arm64", "x86_64"]
    assert template.resolve(globals_(template)["Architectures"]) == ["arm64"]
    x86 = Template(parameter_overrides={"Architecture": "x86_64"})
    assert x86.resolve(globals_(x86)["Architectures"]) == ["x86_64"]
    for name in functions(template):
        assert "Architectures" not in template.resources[name]["Properties"], name


def test_the_layer_is_built_and_declared_for_the_chosen_architecture(template: Template) -> None:
    layer = template.resources["SharedLayer"]
    assert template.resolve(layer["Properties"]["CompatibleArchitectures"]) == ["arm64"]
    assert template.resolve(layer["Metadata"]["BuildArchitecture"]) == "arm64"
    makefile = (REPO_ROOT / "layers" / "shared" / "Makefile").read_text()
    assert re.search(r"^ARCHITECTURE \?= arm64$", makefile, re.MULTILINE)
    assert "manylinux2014_$(if $(filter x86_64,$(ARCHITECTURE)),x86_64,aarch64)" in makefile


def test_runtime_memory_and_tracing_come_from_globals(template: Template) -> None:
    assert globals_(template)["Runtime"] == "python3.12"
    assert globals_(template)["MemorySize"] >= 128
    assert globals_(template)["Tracing"] == "Active"
    api = template.resources["WarehouseApi"]["Properties"]
    assert api["TracingEnabled"] is True


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING", "ERROR"])
def test_json_logs_at_the_log_level_powertools_also_uses(level: str) -> None:
    """Lambda drops JSON lines below ApplicationLogLevel, and Powertools follows that level
    (AWS_LAMBDA_LOG_LEVEL), so each LogLevel must map to the same level in Lambda's spelling."""
    template = Template(parameter_overrides={"LogLevel": level})
    logging_config = template.resolve(globals_(template)["LoggingConfig"])
    assert logging_config["LogFormat"] == "JSON"
    assert LAMBDA_ADVANCED_LOGGING_LEVELS[logging_config["ApplicationLogLevel"]] == level
    assert level in template.document["Parameters"]["LogLevel"]["AllowedValues"]


@pytest.mark.parametrize("function", functions(Template()))
def test_every_function_logs_to_its_own_group_with_retention_and_key(
    template: Template, with_key: Template, function: str
) -> None:
    group_ref = template.resources[function]["Properties"]["LoggingConfig"]["LogGroup"]
    group = group_ref["Ref"]
    assert template.resources[group]["Type"] == "AWS::Logs::LogGroup"
    plain = properties(template, group)
    assert plain["LogGroupName"].endswith(f"/{function}")
    assert plain["RetentionInDays"] == str(
        template.document["Parameters"]["LogRetentionDays"]["Default"]
    )
    assert "KmsKeyId" not in plain
    assert properties(with_key, group)["KmsKeyId"] == KEY_ARN


def test_api_access_logs_are_json_with_the_fields_operators_query(
    template: Template, with_key: Template
) -> None:
    setting = template.resources["WarehouseApi"]["Properties"]["AccessLogSetting"]
    group = setting["DestinationArn"]["Fn::GetAtt"][0]
    assert properties(template, group)["RetentionInDays"]
    assert properties(with_key, group)["KmsKeyId"] == KEY_ARN
    # One request's line: every $context variable replaced by a value, as API Gateway does.
    line = re.sub(r"\$context\.[A-Za-z.]+", "x", setting["Format"])
    assert "\n" not in line
    assert set(json.loads(line)) >= ACCESS_LOG_FIELDS


def test_stage_throttling_comes_from_parameters(template: Template) -> None:
    (settings,) = template.resources["WarehouseApi"]["Properties"]["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ThrottlingBurstLimit"}


@pytest.mark.parametrize("table", sorted(Template().resources_of_type("AWS::DynamoDB::Table")))
def test_every_table_is_encrypted_and_protected(
    template: Template, with_key: Template, table: str
) -> None:
    plain, keyed = properties(template, table), properties(with_key, table)
    assert plain["SSESpecification"] == {"SSEEnabled": True}  # the AWS-managed key
    assert keyed["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": KEY_ARN,
    }
    assert plain["DeletionProtectionEnabled"] is True
    pitr = plain.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
    if table == "IdempotencyTable":  # 25 h records; the decision is justified in the template
        assert pitr is None
        skips = template.resources[table]["Metadata"]["checkov"]["skip"]
        assert [skip["id"] for skip in skips] == ["CKV_AWS_28"]
    else:
        assert pitr is True
        assert template.resources[table]["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("queue", sorted(Template().resources_of_type("AWS::SQS::Queue")))
def test_every_queue_is_encrypted_with_the_key_when_there_is_one(
    template: Template, with_key: Template, queue: str
) -> None:
    plain, keyed = properties(template, queue), properties(with_key, queue)
    assert plain["SqsManagedSseEnabled"] is True
    assert "KmsMasterKeyId" not in plain
    assert keyed["KmsMasterKeyId"] == KEY_ARN
    assert "SqsManagedSseEnabled" not in keyed  # the two exclude each other


def test_the_cursor_secret_uses_the_key_when_there_is_one(
    template: Template, with_key: Template
) -> None:
    assert "KmsKeyId" not in properties(template, "CursorSecret")
    assert properties(with_key, "CursorSecret")["KmsKeyId"] == KEY_ARN


def alarms(template: Template) -> dict[str, dict[str, Any]]:
    return template.resources_of_type("AWS::CloudWatch::Alarm")


def alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The alarm's metrics as {Namespace, MetricName, Dimensions}, plain or in metric math."""
    properties = alarm["Properties"]
    if "MetricName" in properties:
        return [properties]
    return [
        query["MetricStat"]["Metric"] for query in properties["Metrics"] if "MetricStat" in query
    ]


@pytest.mark.parametrize("function", functions(Template()))
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_an_errors_and_a_throttles_alarm(
    template: Template, function: str, metric: str
) -> None:
    watching = [
        name
        for name, alarm in alarms(template).items()
        for watched in alarm_metrics(alarm)
        if (watched["Namespace"], watched["MetricName"]) == ("AWS/Lambda", metric)
        and watched["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function}}]
    ]
    assert len(watching) == 1, (function, metric, watching)


def test_the_api_5xx_rate_audit_lag_and_dlq_depth_are_alarmed(template: Template) -> None:
    watched = {
        (template.resolve(metric["Namespace"]), metric["MetricName"])
        for alarm in alarms(template).values()
        for metric in alarm_metrics(alarm)
    }
    environment = template.function("AuditConsumerFunction").environment
    assert ("AWS/ApiGateway", "5XXError") in watched
    assert ("AWS/ApiGateway", "Count") in watched  # a rate, not a count
    assert (environment["POWERTOOLS_METRICS_NAMESPACE"], "AuditLag") in watched
    dlq = alarms(template)["AuditDeadLetterAlarm"]["Properties"]
    assert dlq["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["AuditDeadLetterQueue", "QueueName"]}


def test_custom_metric_alarms_name_the_functions_namespace_and_service(
    template: Template,
) -> None:
    """Powertools adds `service` to every metric: an alarm without it would watch nothing."""
    environment = template.function("AuditConsumerFunction").environment
    for name, alarm in alarms(template).items():
        for metric in alarm_metrics(alarm):
            if template.resolve(metric["Namespace"]).startswith("AWS/"):
                continue
            assert (
                template.resolve(metric["Namespace"]) == environment["POWERTOOLS_METRICS_NAMESPACE"]
            ), name
            assert metric["Dimensions"] == [
                {"Name": "service", "Value": environment["POWERTOOLS_SERVICE_NAME"]}
            ], name


def test_every_alarm_notifies_the_topic_parameter(template: Template, with_key: Template) -> None:
    for name in alarms(template):
        assert "AlarmActions" not in properties(template, name), name  # no topic, no action
        assert properties(with_key, name)["AlarmActions"] == [TOPIC_ARN], name


def dashboard(template: Template) -> dict[str, Any]:
    (resource,) = template.resources_of_type("AWS::CloudWatch::Dashboard").values()
    body: dict[str, Any] = json.loads(template.resolve(resource["Properties"]["DashboardBody"]))
    return body


def dashboard_metrics(body: dict[str, Any]) -> list[list[Any]]:
    return [
        row
        for widget in body["widgets"]
        for row in widget["properties"].get("metrics", [])
        if isinstance(row[0], str)
    ]


def test_the_dashboard_shows_every_alarm(template: Template) -> None:
    body = dashboard(template)
    shown = {arn for widget in body["widgets"] for arn in widget["properties"].get("alarms", [])}
    assert shown == {template.resolve({"Fn::GetAtt": [name, "Arn"]}) for name in alarms(template)}


def test_the_dashboard_graphs_every_function_and_the_business_metrics(
    template: Template,
) -> None:
    rows = dashboard_metrics(dashboard(template))
    for metric in ("Errors", "Throttles"):
        graphed = {row[3] for row in rows if row[:3] == ["AWS/Lambda", metric, "FunctionName"]}
        assert graphed == set(functions(template)), metric
    environment = template.function("PickFunction").environment
    custom = [row for row in rows if row[0] == environment["POWERTOOLS_METRICS_NAMESPACE"]]
    names = {row[1] for row in custom}
    assert {"Movements", "InsufficientStockRejections", "IdempotentReplays", "AuditLag"} <= names
    for row in custom:  # each names the dimensions the metric is emitted with, service included
        dimensions = dict(zip(row[2:-1:2], row[3:-1:2], strict=True))
        assert dimensions["service"] == environment["POWERTOOLS_SERVICE_NAME"], row
    movement_types = {row[3] for row in custom if row[1] == "Movements"}
    assert movement_types == {"restock", "pick", "transfer", "adjust"}


def emitted_metric_names() -> set[str]:
    """Every metric name the layer's code emits (add_metric / single_metric)."""
    source = "\n".join(path.read_text() for path in LAYER_SOURCE.rglob("*.py"))
    return set(re.findall(r'(?:add_metric|single_metric)\(\s*name="([A-Za-z]+)"', source))


def test_the_dashboard_and_alarms_read_only_metrics_the_code_emits(template: Template) -> None:
    environment = template.function("PickFunction").environment
    namespace = environment["POWERTOOLS_METRICS_NAMESPACE"]
    read = {row[1] for row in dashboard_metrics(dashboard(template)) if row[0] == namespace}
    read |= {
        metric["MetricName"]
        for alarm in alarms(template).values()
        for metric in alarm_metrics(alarm)
        if template.resolve(metric["Namespace"]) == namespace
    }
    assert read
    assert read <= emitted_metric_names()


def test_every_checkov_skip_is_justified(template: Template) -> None:
    raw = Path(template.path).read_text()
    assert "checkov:skip" not in raw  # no unexplained inline skip comments
    skips = [
        (name, skip)
        for name, resource in template.resources.items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for name, skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (name, skip)
        assert len(skip.get("comment", "").split()) >= 8, (name, skip)
