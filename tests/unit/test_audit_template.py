"""The audit pipeline's settings in template.yaml: what makes it lossless and append-only."""

from typing import Any

from tests.support.iam_policies import template_grants
from warehouse_devstack.template import Template


def properties(template: Template, name: str) -> dict[str, Any]:
    props: dict[str, Any] = template.resources[name]["Properties"]
    return props


def event_of(template: Template, function: str, kind: str) -> dict[str, Any]:
    (event,) = [
        e["Properties"]
        for e in properties(template, function)["Events"].values()
        if e["Type"] == kind
    ]
    found: dict[str, Any] = event
    return found


def test_queue_visibility_covers_six_consumer_timeouts(template: Template) -> None:
    timeout = properties(template, "AuditConsumerFunction")["Timeout"]
    assert properties(template, "AuditQueue")["VisibilityTimeout"] >= 6 * timeout


def test_poison_messages_reach_the_dead_letter_queue(template: Template) -> None:
    redrive = properties(template, "AuditQueue")["RedrivePolicy"]
    assert redrive["maxReceiveCount"] >= 5
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["AuditDeadLetterQueue", "Arn"]}


def test_queues_are_encrypted(template: Template) -> None:
    """SQS-managed SSE by default (with KmsKeyArn: that key, test_template_hardening.py)."""
    for name in template.resources_of_type("AWS::SQS::Queue"):
        resolved = template.resolve(properties(template, name))
        assert resolved["SqsManagedSseEnabled"] is True, name


def test_both_event_sources_report_partial_failures(template: Template) -> None:
    consumer = event_of(template, "AuditConsumerFunction", "SQS")
    relay = event_of(template, "StreamRelayFunction", "DynamoDB")
    assert consumer["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert relay["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_relay_never_gives_up_before_the_records_expire(template: Template) -> None:
    """Lossless: retry until the stream records expire (the iterator-age alarm fires first)."""
    relay = event_of(template, "StreamRelayFunction", "DynamoDB")
    assert relay["BisectBatchOnFunctionError"] is True
    assert relay["MaximumRetryAttempts"] == -1
    assert relay["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["RelayFailureQueue", "Arn"]
    }
    assert relay["Stream"] == {"Fn::GetAtt": ["InventoryTable", "StreamArn"]}


def test_relay_sees_only_stock_record_changes(template: Template) -> None:
    relay = event_of(template, "StreamRelayFunction", "DynamoDB")
    (pattern,) = [f["Pattern"] for f in relay["FilterCriteria"]["Filters"]]
    assert '"prefix": "STOCK#"' in pattern and '"INSERT", "MODIFY"' in pattern


def test_audit_log_accepts_only_new_entries(template: Template) -> None:
    grants = template_grants(template)["AuditConsumerFunction"]
    actions = {action for action, resource in grants if resource.startswith("AuditTable")}
    assert actions == {"dynamodb:PutItem", "dynamodb:GetItem"}
    assert not any("Update" in a or "Delete" in a or "BatchWrite" in a for a in actions)
    writers = {
        name
        for name, grants in template_grants(template).items()
        for action, resource in grants
        if resource.startswith("AuditTable")
        and action != "dynamodb:Query"
        and action != "dynamodb:GetItem"
    }
    assert writers == {"AuditConsumerFunction"}


def test_alarms_watch_iterator_age_and_the_dead_letter_queue(template: Template) -> None:
    alarms = template.resources_of_type("AWS::CloudWatch::Alarm").values()
    metrics = {
        (a["Properties"]["MetricName"], str(a["Properties"]["Dimensions"]))
        for a in alarms
        if "MetricName" in a["Properties"]  # not the metric-math ones
    }
    assert any(m == "IteratorAge" and "StreamRelayFunction" in d for m, d in metrics)
    assert any(
        m == "ApproximateNumberOfMessagesVisible" and "AuditDeadLetterQueue" in d
        for m, d in metrics
    )


def test_audit_table_is_protected(template: Template) -> None:
    table = template.resources["AuditTable"]
    assert table["DeletionPolicy"] == "Retain"
    props = table["Properties"]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["DeletionProtectionEnabled"] is True


def test_records_the_relay_cannot_send_go_to_an_alarmed_queue_it_may_write(
    template: Template,
) -> None:
    """The relay's own dead-letter queue: named in its environment, granted, kept 14 days and
    alarmed as soon as one record is in it."""
    queue = properties(template, "RelayDeadLetterQueue")
    assert queue["MessageRetentionPeriod"] == 1209600
    environment = template.function("StreamRelayFunction").environment
    assert environment["RELAY_DEAD_LETTER_QUEUE_URL"] == template.resolve(
        {"Ref": "RelayDeadLetterQueue"}
    )
    assert ("sqs:SendMessage", "RelayDeadLetterQueue") in template_grants(template)[
        "StreamRelayFunction"
    ]
    (alarm,) = [
        alarm["Properties"]
        for alarm in template.resources_of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["RelayDeadLetterQueue", "QueueName"]}}]
    ]
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    assert alarm["EvaluationPeriods"] == 1
