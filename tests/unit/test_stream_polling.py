"""The stream poller reads a shard again at once only while it has more (a full page, or a
batch already due); after a partial page it sleeps its poll interval, so a trickle of writes
does not turn into back-to-back GetRecords calls in the gateway's process."""

import threading
from dataclasses import replace
from typing import Any, cast

import pytest

from warehouse_devstack.event_sources.mappings import stream_sources
from warehouse_devstack.event_sources.stream_poller import (
    GET_RECORDS_LIMIT,
    POLL_SECONDS,
    StreamClients,
    StreamPoller,
    read_on_at_once,
)
from warehouse_devstack.template import Template

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/InventoryTable/stream/1"


class FakeStreams:
    """DynamoDB and DynamoDB Streams for one open shard whose pages are given up front."""

    def __init__(self, pages: list[int]) -> None:
        self.pages = pages
        self.get_records_calls = 0
        self._sequence = 0

    def describe_table(self, **_: Any) -> dict[str, Any]:
        return {"Table": {"LatestStreamArn": STREAM_ARN}}

    def describe_stream(self, **_: Any) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **_: Any) -> dict[str, Any]:
        return {"ShardIterator": "iterator"}

    def get_records(self, **_: Any) -> dict[str, Any]:
        self.get_records_calls += 1
        count = self.pages.pop(0) if self.pages else 0
        return {"Records": [self._record() for _ in range(count)], "NextShardIterator": "next"}

    def _record(self) -> dict[str, Any]:
        self._sequence += 1
        keys = {"pk": {"S": "SKU#A1"}, "sk": {"S": "STOCK#A-01"}}
        dynamodb = {"Keys": keys, "SequenceNumber": str(self._sequence)}
        return {"eventID": str(self._sequence), "eventName": "MODIFY", "dynamodb": dynamodb}


class RecordedWaits(threading.Event):
    """The poller's stop event, never set: its waits are recorded and return at once."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return False


def poller(template: Template, streams: FakeStreams) -> tuple[StreamPoller, list[float | None]]:
    """The projector's mapping with a batch too large and a window too long to be delivered
    here: these tests are about reading the shard."""
    (source, *_) = stream_sources(template)
    source = replace(source, batch_size=100_000, batching_window_seconds=60, filters=[])
    fake = cast(Any, streams)
    polling = StreamPoller(source, StreamClients(dynamodb=fake, streams=fake, sqs=fake))
    polling.stopping = stopping = RecordedWaits()
    return polling, stopping.waits


@pytest.mark.parametrize(
    ("fetched", "batch_due", "at_once"),
    [
        (0, False, False),
        (1, False, False),
        (GET_RECORDS_LIMIT - 1, False, False),
        (GET_RECORDS_LIMIT, False, True),
        (0, True, True),
        (3, True, True),
    ],
)
def test_read_on_at_once_only_after_a_full_page_or_with_a_batch_due(
    fetched: int, batch_due: bool, at_once: bool
) -> None:
    assert read_on_at_once(fetched, batch_due) is at_once


def test_a_partial_page_waits_the_poll_interval(template: Template) -> None:
    streams = FakeStreams([3])
    polling, waits = poller(template, streams)

    polling.poll_once()

    assert (streams.get_records_calls, waits) == (1, [POLL_SECONDS])


def test_a_full_page_is_followed_at_once(template: Template) -> None:
    streams = FakeStreams([GET_RECORDS_LIMIT])
    polling, waits = poller(template, streams)

    polling.poll_once()

    assert (streams.get_records_calls, waits) == (1, [])


def test_a_trickle_costs_one_get_records_per_poll(template: Template) -> None:
    streams = FakeStreams([1, 2, 1, 1, 3])
    polling, waits = poller(template, streams)

    for _ in range(5):
        polling.poll_once()

    assert (streams.get_records_calls, len(waits)) == (5, 5)
