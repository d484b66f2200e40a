"""Reads what a DynamoDB stream holds right now, for the tests and the local stack's stream poller.

The table's stream is the outbox, so tests assert on it and the local stack feeds it
to the relay. DynamoDB Local hands out a `NextShardIterator` for an open shard forever, so "read
until the iterator is gone" would never end: a read that returns no records ends a shard here.
Real DynamoDB may return an empty page before later records of an open shard; this is a snapshot
reader for an emulator, not a replacement for Lambda's event source mapping.
"""

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_dynamodbstreams.type_defs import (
        DescribeStreamInputTypeDef,
        GetShardIteratorInputTypeDef,
        RecordTypeDef,
        ShardTypeDef,
    )


def list_shards(client: "DynamoDBStreamsClient", stream_arn: str) -> list["ShardTypeDef"]:
    """Every shard of the stream; DescribeStream pages through shards, not records."""
    shards: list[ShardTypeDef] = []
    start: str | None = None
    while True:
        request: DescribeStreamInputTypeDef = {"StreamArn": stream_arn}
        if start:
            request["ExclusiveStartShardId"] = start
        description = client.describe_stream(**request)["StreamDescription"]
        shards += description.get("Shards", [])
        start = description.get("LastEvaluatedShardId")
        if not start:
            return shards


def parents_first(shards: list["ShardTypeDef"]) -> list["ShardTypeDef"]:
    """Order shards so a parent comes before its children: records of one key stay in order."""
    by_id = {shard["ShardId"]: shard for shard in shards}
    ordered: list[ShardTypeDef] = []
    placed: set[str] = set()

    def place(shard: "ShardTypeDef") -> None:
        if shard["ShardId"] in placed:
            return
        placed.add(shard["ShardId"])
        parent = by_id.get(shard.get("ParentShardId", ""))
        if parent is not None:
            place(parent)
        ordered.append(shard)

    for shard in shards:
        place(shard)
    return ordered


def shard_records(
    client: "DynamoDBStreamsClient", stream_arn: str, shard_id: str, after: str | None = None
) -> Iterator["RecordTypeDef"]:
    """A shard's records from its trim horizon (or after the sequence number `after`) until a
    read comes back empty or the shard ends."""
    request: GetShardIteratorInputTypeDef = {
        "StreamArn": stream_arn,
        "ShardId": shard_id,
        "ShardIteratorType": "TRIM_HORIZON",
    }
    if after is not None:
        request |= {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
    iterator = client.get_shard_iterator(**request).get("ShardIterator")
    while iterator:
        response = client.get_records(ShardIterator=iterator)
        records = response.get("Records", [])
        if not records:
            return
        yield from records
        iterator = response.get("NextShardIterator")


def read_stream(client: "DynamoDBStreamsClient", stream_arn: str) -> list["RecordTypeDef"]:
    """All records currently in the stream, every shard, parents before children."""
    return StreamLog(client, stream_arn).read()


class StreamLog:
    """A stream read again and again, as tests do: each read returns every record so far, as
    `read_stream` would, but fetches only those added since the previous read (a stream shared
    by a whole test session grows to thousands of records, and parsing them all on every read
    cost more than the tests themselves)."""

    def __init__(self, client: "DynamoDBStreamsClient", stream_arn: str) -> None:
        self._client = client
        self._stream_arn = stream_arn
        self._shards: dict[str, list[RecordTypeDef]] = {}
        self._lock = threading.Lock()

    def read(self) -> list["RecordTypeDef"]:
        with self._lock:
            shards = parents_first(list_shards(self._client, self._stream_arn))
            for shard in shards:
                known = self._shards.setdefault(shard["ShardId"], [])
                last = known[-1]["dynamodb"]["SequenceNumber"] if known else None
                if last is None or last != shard["SequenceNumberRange"].get("EndingSequenceNumber"):
                    known += shard_records(self._client, self._stream_arn, shard["ShardId"], last)
            return [record for shard in shards for record in self._shards[shard["ShardId"]]]
