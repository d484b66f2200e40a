"""The template's event source mappings: every function's `Events` of Type
`DynamoDB` and `SQS`, with the settings Lambda's event source mapping applies and its defaults
where the template says nothing.
"""

import warnings
from dataclasses import dataclass
from typing import Any

from warehouse_devstack.event_sources.filters import Pattern, parse_patterns
from warehouse_devstack.template import FunctionSpec, Template, queue_url

# Lambda's defaults when a mapping leaves a setting out.
STREAM_BATCH_SIZE = 100
QUEUE_BATCH_SIZE = 10
QUEUE_CONCURRENCY = 5  # Lambda starts with five concurrent batches per queue, then scales up
RETRY_FOREVER = -1


@dataclass(frozen=True)
class StreamSource:
    """A DynamoDB stream → function mapping."""

    function: FunctionSpec
    table_name: str
    starting_position: str  # TRIM_HORIZON or LATEST
    batch_size: int
    batching_window_seconds: float
    bisect_on_error: bool
    maximum_retry_attempts: int  # RETRY_FOREVER: until the records expire
    report_batch_item_failures: bool
    on_failure_queue_url: str | None
    filters: list[Pattern]


@dataclass(frozen=True)
class QueueSource:
    """An SQS queue → function mapping."""

    function: FunctionSpec
    queue_url: str
    queue_arn: str
    batch_size: int
    batching_window_seconds: float
    report_batch_item_failures: bool
    filters: list[Pattern]
    concurrency: int  # batches in flight at once


def stream_sources(template: Template) -> list[StreamSource]:
    return [
        stream_source(template, spec, properties)
        for spec, kind, properties in _enabled_events(template)
        if kind == "DynamoDB"
    ]


def queue_sources(template: Template) -> list[QueueSource]:
    return [
        queue_source(template, spec, properties)
        for spec, kind, properties in _enabled_events(template)
        if kind == "SQS"
    ]


def _enabled_events(template: Template) -> list[tuple[FunctionSpec, str, dict[str, Any]]]:
    """(function, event type, event properties) of every enabled event of every function."""
    events = []
    for spec in template.functions():
        resource = template.resources[spec.logical_id]
        for event in resource["Properties"].get("Events", {}).values():
            properties: dict[str, Any] = event.get("Properties", {})
            if template.resolve(properties.get("Enabled", True)) not in (False, "false"):
                events.append((spec, str(event["Type"]), properties))
    return events


def stream_source(
    template: Template, spec: FunctionSpec, properties: dict[str, Any]
) -> StreamSource:
    setting = _settings(template, properties)
    destination = properties.get("DestinationConfig", {}).get("OnFailure")
    return StreamSource(
        function=spec,
        table_name=stream_table(template, properties["Stream"]),
        starting_position=str(setting("StartingPosition", "TRIM_HORIZON")),
        batch_size=int(setting("BatchSize", STREAM_BATCH_SIZE)),
        batching_window_seconds=float(setting("MaximumBatchingWindowInSeconds", 0)),
        bisect_on_error=str(setting("BisectBatchOnFunctionError", False)).lower() == "true",
        maximum_retry_attempts=int(setting("MaximumRetryAttempts", RETRY_FOREVER)),
        report_batch_item_failures="ReportBatchItemFailures"
        in setting("FunctionResponseTypes", []),
        on_failure_queue_url=on_failure_queue(template, spec, destination),
        filters=parse_patterns(properties.get("FilterCriteria")),
    )


def queue_source(template: Template, spec: FunctionSpec, properties: dict[str, Any]) -> QueueSource:
    setting = _settings(template, properties)
    arn = str(template.resolve(properties["Queue"]))
    return QueueSource(
        function=spec,
        queue_url=queue_url_of(arn),
        queue_arn=arn,
        batch_size=int(setting("BatchSize", QUEUE_BATCH_SIZE)),
        batching_window_seconds=float(setting("MaximumBatchingWindowInSeconds", 0)),
        report_batch_item_failures="ReportBatchItemFailures"
        in setting("FunctionResponseTypes", []),
        filters=parse_patterns(properties.get("FilterCriteria")),
        concurrency=int(setting("ScalingConfig", {}).get("MaximumConcurrency", QUEUE_CONCURRENCY)),
    )


def _settings(template: Template, properties: dict[str, Any]) -> Any:
    def setting(name: str, default: Any) -> Any:
        return template.resolve(properties.get(name, default))

    return setting


def stream_table(template: Template, stream: Any) -> str:
    """The local name of the table whose stream `Stream` names: `!GetAtt <Table>.StreamArn`
    (how the template refers to it) or a literal stream ARN (`.../table/<name>/stream/...`)."""
    if isinstance(stream, dict) and "Fn::GetAtt" in stream:
        reference = stream["Fn::GetAtt"]
        logical_id = reference.split(".")[0] if isinstance(reference, str) else reference[0]
        return str(template.resolve({"Ref": logical_id}))
    arn = str(template.resolve(stream))
    if "/stream/" in arn and ":table/" in arn:
        return arn.split(":table/", 1)[1].split("/", 1)[0]
    raise ValueError(f"cannot tell which table's stream {stream!r} is")


def queue_url_of(arn: str) -> str:
    """The AWS-shaped URL of a queue by its ARN, as `!Ref <Queue>` resolves locally."""
    if not arn.startswith("arn:aws:sqs:"):
        raise ValueError(f"{arn!r} is not an SQS queue ARN")
    return queue_url(arn.rsplit(":", 1)[1])


def on_failure_queue(
    template: Template, spec: FunctionSpec, destination: dict[str, Any] | None
) -> str | None:
    """Only SQS destinations are emulated; another kind is announced and left out."""
    if not destination:
        return None
    arn = str(template.resolve(destination["Destination"]))
    if arn.startswith("arn:aws:sqs:"):
        return queue_url_of(arn)
    warnings.warn(
        f"{spec.logical_id}: on-failure destination {arn} is not an SQS queue; the local stack "
        "logs given-up batches instead",
        stacklevel=2,
    )
    return None
