"""The local stack's event source mappings: read from template.yaml, filtered like Lambda filters,
and a stream batch retried, split and given up like Lambda's event source mapping does."""

import json
from typing import Any

import pytest

from warehouse_devstack.event_sources.filters import matches_any, parse_patterns
from warehouse_devstack.event_sources.mappings import queue_sources, stream_sources
from warehouse_devstack.event_sources.stream_retries import (
    DONE,
    BatchDelivery,
    Outcome,
    Record,
    RetryPolicy,
)
from warehouse_devstack.template import Template, queue_url


def stream_record(name: str, sort_key: str) -> dict[str, Any]:
    keys = {"pk": {"S": "SKU#A1"}, "sk": {"S": sort_key}}
    return {"eventName": name, "eventSource": "aws:dynamodb", "dynamodb": {"Keys": keys}}


def relay_filters(template: Template) -> list[dict[str, Any]]:
    (relay,) = [
        s for s in stream_sources(template) if s.function.logical_id == "StreamRelayFunction"
    ]
    return relay.filters


@pytest.mark.parametrize(
    ("name", "sort_key", "passes"),
    [
        ("INSERT", "STOCK#A-1", True),
        ("MODIFY", "STOCK#", True),
        ("REMOVE", "STOCK#A-1", False),
        ("MODIFY", "ITEM", False),
        ("INSERT", "PROJ#A-1", False),
    ],
)
def test_the_relay_gets_only_changes_of_stock_records(
    template: Template, name: str, sort_key: str, passes: bool
) -> None:
    assert matches_any(relay_filters(template), stream_record(name, sort_key)) is passes


def test_a_record_without_the_filtered_field_does_not_match() -> None:
    patterns = parse_patterns(
        {"Filters": [{"Pattern": '{"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "S"}]}}}}'}]}
    )
    assert not matches_any(patterns, {"eventName": "INSERT", "dynamodb": {}})


def test_any_of_several_patterns_is_enough_and_none_means_everything() -> None:
    filters = {
        "Filters": [{"Pattern": json.dumps({"a": [1]})}, {"Pattern": {"b": [{"exists": False}]}}]
    }
    patterns = parse_patterns(filters)
    assert matches_any(patterns, {"a": 1, "b": 2})
    assert matches_any(patterns, {"a": 2})
    assert not matches_any(patterns, {"a": 2, "b": 2})
    assert not matches_any(patterns, {"a": True, "b": 0})  # true is not 1
    assert matches_any([], {"anything": "at all"})


def test_anything_but_suffix_and_lists_in_the_record() -> None:
    patterns = parse_patterns(
        {
            "Filters": [
                {"Pattern": '{"name": [{"anything-but": ["x"]}], "tags": [{"suffix": "-1"}]}'}
            ]
        }
    )
    assert matches_any(patterns, {"name": "y", "tags": ["a-2", "b-1"]})
    assert not matches_any(patterns, {"name": "x", "tags": ["b-1"]})
    assert not matches_any(patterns, {"name": "y", "tags": ["a-2"]})


@pytest.mark.parametrize(
    "pattern",
    ['{"a": [{"numeric": [">", 1]}]}', '{"a": "plain"}', '{"a": [{"prefix": "x", "suffix": "y"}]}'],
)
def test_unsupported_patterns_are_refused_up_front(pattern: str) -> None:
    with pytest.raises(ValueError, match="filter"):
        parse_patterns({"Filters": [{"Pattern": pattern}]})


def test_stream_mappings_come_from_the_template(template: Template) -> None:
    relay = next(
        s for s in stream_sources(template) if s.function.logical_id == "StreamRelayFunction"
    )
    event = template.resources["StreamRelayFunction"]["Properties"]["Events"]["Stream"][
        "Properties"
    ]
    assert relay.table_name == event["Stream"]["Fn::GetAtt"][0]
    assert relay.batch_size == event["BatchSize"]
    assert relay.batching_window_seconds == event["MaximumBatchingWindowInSeconds"]
    assert relay.maximum_retry_attempts == event["MaximumRetryAttempts"]
    assert relay.bisect_on_error is event["BisectBatchOnFunctionError"]
    assert relay.report_batch_item_failures
    destination = event["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert relay.on_failure_queue_url == queue_url(template.queue_name(destination))


def test_queue_mappings_come_from_the_template(template: Template) -> None:
    (consumer,) = [
        q for q in queue_sources(template) if q.function.logical_id == "AuditConsumerFunction"
    ]
    event = template.resources["AuditConsumerFunction"]["Properties"]["Events"]["Queue"][
        "Properties"
    ]
    queue = event["Queue"]["Fn::GetAtt"][0]
    assert consumer.queue_url == template.resolve({"Ref": queue})
    assert consumer.queue_arn == template.resolve(event["Queue"])
    assert consumer.batch_size == event["BatchSize"]
    assert consumer.report_batch_item_failures
    assert consumer.concurrency == event.get("ScalingConfig", {}).get("MaximumConcurrency", 5)


class ScriptedFunction:
    """Answers each invocation with the next scripted outcome; remembers what it was given."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.batches: list[list[int]] = []
        self.given_up: list[tuple[list[int], int, str]] = []
        self.waits: list[float] = []

    def invoke(self, records: list[Record]) -> Outcome:
        self.batches.append([record["n"] for record in records])
        return self.outcomes.pop(0) if self.outcomes else DONE

    def give_up(self, records: list[Record], tries: int, reason: str) -> None:
        self.given_up.append(([record["n"] for record in records], tries, reason))

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return False

    def deliver(self, count: int, retries: int = 10, bisect: bool = True) -> None:
        delivery = BatchDelivery(self.invoke, self.give_up, self.wait, RetryPolicy(retries, bisect))
        delivery.deliver([{"n": n} for n in range(count)])


def test_a_reported_failure_retries_from_that_record_on() -> None:
    function = ScriptedFunction(Outcome(retry_from=2))
    function.deliver(4)
    assert function.batches == [[0, 1, 2, 3], [2, 3]]
    assert function.given_up == []


def test_an_error_splits_the_batch_and_keeps_order() -> None:
    function = ScriptedFunction(Outcome(retry_from=0, error="Boom"))
    function.deliver(4)
    assert function.batches == [[0, 1, 2, 3], [0, 1], [2, 3]]


def test_without_bisect_an_error_retries_the_whole_batch() -> None:
    function = ScriptedFunction(Outcome(retry_from=0, error="Boom"))
    function.deliver(4, bisect=False)
    assert function.batches == [[0, 1, 2, 3], [0, 1, 2, 3]]


def test_retries_back_off_and_end_in_the_failure_destination() -> None:
    function = ScriptedFunction(Outcome(retry_from=1), *[Outcome(retry_from=0)] * 3)
    function.deliver(3, retries=2)
    assert function.batches == [[0, 1, 2], [1, 2], [1, 2]]
    assert function.given_up == [([1, 2], 3, "the function reported a batch item failure")]
    assert function.waits == sorted(function.waits) and len(function.waits) == 2


def test_a_poison_record_is_isolated_by_bisection_and_given_up_alone() -> None:
    poison = 5
    function = ScriptedFunction()

    def invoke(records: list[Record]) -> Outcome:
        function.batches.append([record["n"] for record in records])
        if any(record["n"] == poison for record in records):
            return Outcome(retry_from=0, error="Poison")
        return DONE

    function.invoke = invoke  # type: ignore[method-assign]
    function.deliver(8, retries=5)
    delivered = [n for batch in function.batches if poison not in batch for n in batch]
    assert sorted(delivered) == [n for n in range(8) if n != poison]
    assert delivered == sorted(delivered)  # per-shard order kept
    assert [(records, reason) for records, _, reason in function.given_up] == [([poison], "Poison")]
