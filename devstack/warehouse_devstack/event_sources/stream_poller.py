"""DynamoDB stream → function, as Lambda's event source mapping does it, against DynamoDB Local.

Every shard of the table's stream is followed with its own iterator, from the mapping's starting
position (later shards from their trim horizon, a child only once its parent is read to the
end). Records are shaped as Lambda delivers them, filtered by the mapping's `FilterCriteria`
(non-matching records are dropped, as Lambda drops them), batched up to BatchSize within
MaximumBatchingWindowInSeconds, and delivered one batch at a time per shard (stream_retries).
"""

import base64
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from warehouse_devstack.event_sources.filters import matches_any
from warehouse_devstack.event_sources.mappings import StreamSource
from warehouse_devstack.event_sources.poller_base import (
    REGION,
    Invocation,
    Poller,
    Result,
    call,
    reported_failures,
)
from warehouse_devstack.event_sources.stream_reader import list_shards, parents_first
from warehouse_devstack.event_sources.stream_retries import (
    BatchDelivery,
    Outcome,
    Record,
    RetryPolicy,
)
from warehouse_devstack.lambda_runtime import LambdaContext

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_dynamodbstreams.type_defs import GetShardIteratorInputTypeDef
    from mypy_boto3_sqs import SQSClient

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # Lambda polls a shard four times a second when it has nothing more
SHARD_REFRESH_SECONDS = 1.0
GET_RECORDS_LIMIT = 1000
RESTART_CODES = frozenset({"ExpiredIteratorException", "TrimmedDataAccessException"})


def read_on_at_once(fetched: int, batch_due: bool) -> bool:
    """Whether to poll a shard again without sleeping: after a full page (the shard holds
    more), or with a batch already due in its buffer. A partial page means the shard is read to
    its end for now: polling it again at once would only spin on GetRecords, taking the CPU the
    gateway's requests need (they share the process) for a record or two per call."""
    return fetched >= GET_RECORDS_LIMIT or batch_due


@dataclass(frozen=True)
class StreamClients:
    dynamodb: "DynamoDBClient"
    streams: "DynamoDBStreamsClient"
    sqs: "SQSClient"  # for the on-failure destination


@dataclass
class ShardReader:
    shard_id: str
    iterator: str | None  # None: the shard is closed and read to its end
    buffer: list[tuple[float, Record]] = field(default_factory=list)  # (fetched at, record)
    last_fetched: str | None = None  # sequence number, to resume after an expired iterator

    @property
    def drained(self) -> bool:
        return self.iterator is None and not self.buffer

    def take(self, count: int) -> list[Record]:
        batch, self.buffer = self.buffer[:count], self.buffer[count:]
        return [record for _, record in batch]


def as_lambda_json(value: Any) -> Any:
    """What the SDK parsed, back to the JSON Lambda sends: epoch seconds, base64 binaries."""
    if isinstance(value, dict):
        return {key: as_lambda_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [as_lambda_json(item) for item in value]
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def event_record(raw: Any, stream_arn: str) -> Record:
    """A GetRecords record in the shape of a record of Lambda's DynamoDB stream event."""
    record: Record = {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,  # DynamoDB Local says "ddblocal"
        "dynamodb": raw["dynamodb"],
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in raw:  # TTL deletions
        record["userIdentity"] = raw["userIdentity"]
    converted: Record = as_lambda_json(record)
    return converted


def failure_record(
    source: StreamSource,
    stream_arn: str,
    shard_id: str,
    records: list[Record],
    tries: int,
    reason: str,
) -> dict[str, Any]:
    """What Lambda sends to an on-failure destination for a given-up stream batch (metadata
    only, the records stay in the stream), plus `error`: what the local stack saw fail."""
    first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
    function = source.function.logical_id
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": LambdaContext(function_name=function).invoked_function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": tries,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(first.get("ApproximateCreationDateTime")),
            "approximateArrivalOfLastRecord": _iso(last.get("ApproximateCreationDateTime")),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
        "error": reason,
    }


def _iso(epoch_seconds: float | None) -> str | None:
    if epoch_seconds is None:
        return None
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat()


class StreamPoller(Poller):
    def __init__(self, source: StreamSource, clients: StreamClients) -> None:
        super().__init__(name=f"stream:{source.function.logical_id}")
        self.source = source
        self._streams = clients.streams
        self._sqs = clients.sqs
        table = clients.dynamodb.describe_table(TableName=source.table_name)["Table"]
        if "LatestStreamArn" not in table:
            raise ValueError(f"{source.table_name} has no stream for {source.function.logical_id}")
        self.stream_arn = table["LatestStreamArn"]
        self._readers: dict[str, ShardReader] = {}
        self._finished: set[str] = set()
        self._refresh_at = 0.0
        self._starting = True
        self._policy = RetryPolicy(source.maximum_retry_attempts, source.bisect_on_error)

    def describe(self) -> str:
        source = self.source
        return (
            f"DynamoDB {source.table_name} stream -> {source.function.logical_id} "
            f"(batch {source.batch_size}, window {source.batching_window_seconds:g} s)"
        )

    def poll_once(self) -> None:
        """Read every shard once; then read again at once only where more is waiting (a full
        page, or a batch already due), else sleep until the next poll (see `read_on_at_once`)."""
        if time.monotonic() >= self._refresh_at:
            self._refresh_shards()
        more = False
        for reader in list(self._readers.values()):
            if self.stopping.is_set():
                return
            more = self._advance(reader) or more
        if not more:
            self.stopping.wait(self._idle_seconds())

    def _idle_seconds(self) -> float:
        """Until the next poll, or sooner when a buffered batch's window closes before it."""
        window = self.source.batching_window_seconds
        oldest = [reader.buffer[0][0] for reader in self._readers.values() if reader.buffer]
        if not oldest:
            return POLL_SECONDS
        return max(0.0, min(POLL_SECONDS, min(oldest) + window - time.monotonic()))

    def _refresh_shards(self) -> None:
        """Start reading new shards; a child waits until its parent is read to the end."""
        for shard in parents_first(list_shards(self._streams, self.stream_arn)):
            shard_id = shard["ShardId"]
            if shard_id in self._readers or shard_id in self._finished:
                continue
            if shard.get("ParentShardId") in self._readers:
                continue
            position = self.source.starting_position if self._starting else "TRIM_HORIZON"
            self._readers[shard_id] = ShardReader(shard_id, self._iterator(shard_id, position))
        self._starting = False
        self._refresh_at = time.monotonic() + SHARD_REFRESH_SECONDS

    def _iterator(self, shard_id: str, position: str, after: str | None = None) -> str | None:
        request: GetShardIteratorInputTypeDef = {
            "StreamArn": self.stream_arn,
            "ShardId": shard_id,
            "ShardIteratorType": position,  # type: ignore[typeddict-item]
        }
        if after:
            request |= {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
        return self._streams.get_shard_iterator(**request).get("ShardIterator")

    def _advance(self, reader: ShardReader) -> bool:
        """Fetch what the shard has, deliver a batch when one is due; True if the shard has more
        to do right away."""
        fetched = 0
        if reader.iterator and len(reader.buffer) < self.source.batch_size:
            fetched = self._fetch(reader)
        if self._batch_due(reader):
            give_up = partial(self._give_up, reader.shard_id)
            delivery = BatchDelivery(self._invoke, give_up, self.stopping.wait, self._policy)
            delivery.deliver(reader.take(self.source.batch_size))
        if reader.drained:
            del self._readers[reader.shard_id]
            self._finished.add(reader.shard_id)
            self._refresh_at = 0.0  # its children may start now
        return read_on_at_once(fetched, self._batch_due(reader))

    def _fetch(self, reader: ShardReader) -> int:
        assert reader.iterator is not None
        try:
            response = self._streams.get_records(
                ShardIterator=reader.iterator, Limit=GET_RECORDS_LIMIT
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code not in RESTART_CODES:
                raise
            # Trimmed: the iterator points before the shard's oldest record. DynamoDB Local says
            # so for an iterator taken while the shard was empty once its first record arrives
            # with a later sequence number (one counter serves every table); nothing was read
            # past the oldest record, so reading from the trim horizon repeats nothing.
            after = reader.last_fetched if code == "ExpiredIteratorException" else None
            reader.iterator = self._iterator(reader.shard_id, "TRIM_HORIZON", after)
            return 0
        reader.iterator = response.get("NextShardIterator")
        fetched_at = time.monotonic()
        records = response.get("Records", [])
        for raw in records:
            reader.last_fetched = raw["dynamodb"]["SequenceNumber"]
            record = event_record(raw, self.stream_arn)
            if matches_any(self.source.filters, record):
                reader.buffer.append((fetched_at, record))
        return len(records)

    def _batch_due(self, reader: ShardReader) -> bool:
        if not reader.buffer:
            return False
        if len(reader.buffer) >= self.source.batch_size or reader.iterator is None:
            return True
        oldest = reader.buffer[0][0]
        return time.monotonic() - oldest >= self.source.batching_window_seconds

    def _invoke(self, records: list[Record]) -> Outcome:
        result = call(self.source.function, {"Records": records})
        sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        retry_from = self._checkpoint(result, sequence_numbers)
        failed = () if retry_from is None else tuple(sequence_numbers[retry_from:])
        self.record(
            Invocation(
                function=self.source.function.logical_id,
                source="stream",
                record_ids=tuple(sequence_numbers),
                failed_ids=failed,
                error=result.error,
                duration_ms=result.duration_ms,
            )
        )
        return Outcome(retry_from, result.error)

    def _checkpoint(self, result: Result, sequence_numbers: list[str]) -> int | None:
        """Index to retry from: 0 after an exception or an invalid response, the lowest
        reported record otherwise; None when the batch is done."""
        if result.error:
            return 0
        if not self.source.report_batch_item_failures:
            return None
        identifiers = reported_failures(result)
        if identifiers is None or any(item not in sequence_numbers for item in identifiers):
            return 0
        return min((sequence_numbers.index(item) for item in identifiers), default=None)

    def _give_up(self, shard_id: str, records: list[Record], tries: int, reason: str) -> None:
        """The records are skipped; the destination gets the batch's description, as in Lambda."""
        logger.warning(
            "%s gave up on %d records of shard %s after %d tries: %s",
            self.source.function.logical_id,
            len(records),
            shard_id,
            tries,
            reason,
        )
        url = self.source.on_failure_queue_url
        if url is None:
            return
        body = failure_record(self.source, self.stream_arn, shard_id, records, tries, reason)
        try:
            self._sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
        except (BotoCoreError, ClientError):
            logger.exception("could not send the failure record to %s", url)
