"""The audit pipeline end to end on the local stack: movements over HTTP, the table's stream read
by the stream poller, the relay, SQS (moto's server), the queue poller, the audit consumer and
`GET /reports/movements` (also for batches: a row per entry, as if sent alone); the relay's dead
letters and their redrive.

The stack runs in this process (not as the session's subprocess) so a test can make the relay's
SQS sends fail with a botocore event hook on the layer's own client.
"""

import io
import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import httpx
import pytest
from botocore.exceptions import EndpointConnectionError

from tests.support.local_stack import walk_pages
from tests.support.sqs_faults import Failure, SqsFaults
from warehouse_devstack.backends.dynamodb_local import free_port
from warehouse_devstack.event_sources.mappings import queue_url_of
from warehouse_devstack.event_sources.queue_poller import QueuePoller
from warehouse_devstack.event_sources.stream_poller import StreamPoller
from warehouse_devstack.stack import RunningStack, StackOptions, local_stack
from warehouse_inventory.dal.clients import sqs_client
from warehouse_inventory.domain.stock import MovementType, movement_id
from warehouse_inventory.schemas.movements import MovementMessage
from warehouse_ops import redrive_audit

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

logger = logging.getLogger(__name__)

AUDIT_TIMEOUT_SECONDS = 60.0  # a deadline for correctness; the lag is measured by `make bench`
SETTLE_SECONDS = 2.0  # longer than a stream batching window: late extra rows would show
FAULT_SECONDS = 3.0
OPERATOR_NAME = "audit-e2e-operator"
RELAY, CONSUMER = "StreamRelayFunction", "AuditConsumerFunction"
LOCATIONS = ("A-1", "B-2", "C-3")
REASONS = ("cycle_count", "damaged", "lost", "found", "correction")


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    with local_stack(StackOptions(port=0, dynamodb_port=free_port(), sqs_port=0)) as running:
        yield running


def api_client(stack: RunningStack, token: str) -> httpx.Client:
    headers = {"authorization": f"Bearer {token}"}
    return httpx.Client(base_url=stack.api_url, headers=headers, timeout=15)


@pytest.fixture(scope="module")
def admin(stack: RunningStack) -> Iterator[httpx.Client]:
    with api_client(stack, stack.admin_token) as client:
        yield client


@pytest.fixture(scope="module")
def operator_token(admin: httpx.Client) -> str:
    response = admin.post("/tokens", json={"name": OPERATOR_NAME, "role": "operator"})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


@pytest.fixture(scope="module")
def sqs(stack: RunningStack) -> "SQSClient":
    """A test's own client on the stack's SQS (not the layer's, which the relay uses)."""
    return boto3.session.Session().client("sqs", endpoint_url=stack.sqs_url)


def unique_sku() -> str:
    return "AUD" + uuid.uuid4().hex[:12].upper()


@dataclass(frozen=True)
class Expected:
    """The audit row a committed change must produce."""

    type: str
    location_code: str
    delta: int
    quantity_after: int
    request_id: str
    reference: str | None = None
    reason: str | None = None


@dataclass
class Movements:
    """Movements of one SKU over HTTP, one at a time, with a model of its stock: every answer is
    checked against the model, and what the audit log must then hold is recorded."""

    client: httpx.Client
    sku: str
    rng: random.Random
    stock: dict[str, int] = field(default_factory=dict)
    expected: list[Expected] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # request ids of 409 answers

    def restock(self, location: str) -> None:
        quantity, reference = self.rng.randint(1, 20), f"PO-{self.rng.randint(1, 9999)}"
        body = {"sku": self.sku, "location_code": location, "quantity": quantity}
        response = self.client.post("/inventory/restock", json=body | {"reference": reference})
        level = self._committed(response, 201)
        self.stock[location] = self.stock.get(location, 0) + quantity
        assert level["quantity"] == self.stock[location]
        self._expect("restock", location, quantity, level, response, reference=reference)

    def pick(self, location: str, quantity: int) -> None:
        reference = f"SO-{self.rng.randint(1, 9999)}"
        body = {"sku": self.sku, "location_code": location, "quantity": quantity}
        response = self.client.post("/inventory/pick", json=body | {"reference": reference})
        if self._refused_when_short(response, quantity, self.stock[location]):
            return
        level = self._committed(response, 200)
        self.stock[location] -= quantity
        assert level["quantity"] == self.stock[location]
        self._expect("pick", location, -quantity, level, response, reference=reference)

    def transfer(self, source: str, destination: str, quantity: int) -> None:
        reference = f"TR-{self.rng.randint(1, 9999)}"
        body = {"sku": self.sku, "quantity": quantity, "reference": reference}
        body |= {"from_location": source, "to_location": destination}
        response = self.client.post("/inventory/transfer", json=body)
        if self._refused_when_short(response, quantity, self.stock[source]):
            return
        legs = self._committed(response, 200)
        self.stock[source] -= quantity
        self.stock[destination] += quantity
        assert legs["source"]["quantity"] == self.stock[source]
        assert legs["destination"]["quantity"] == self.stock[destination]
        self._expect("transfer_out", source, -quantity, legs["source"], response, reference)
        self._expect("transfer_in", destination, quantity, legs["destination"], response, reference)

    def adjust(self, location: str) -> None:
        counted, reason = self.rng.randint(0, 40), self.rng.choice(REASONS)
        body = {"sku": self.sku, "location_code": location, "counted_quantity": counted}
        response = self.client.post("/inventory/adjust", json=body | {"reason": reason})
        level = self._committed(response, 200)
        assert level["delta"] == counted - self.stock[location]
        self.stock[location] = counted
        self._expect("adjust", location, level["delta"], level, response, reason=reason)

    def random_step(self) -> None:
        """Restock, pick, transfer or adjust; about one in eight asks for more than is there."""
        source, destination = self.rng.sample(LOCATIONS, 2)
        available = self.stock[source]
        overdraw = self.rng.random() < 0.125 or available == 0
        quantity = (
            available + self.rng.randint(1, 5) if overdraw else self.rng.randint(1, available)
        )
        kind = self.rng.choice(["restock", "pick", "transfer", "adjust"])
        if kind == "restock":
            self.restock(source)
        elif kind == "pick":
            self.pick(source, quantity)
        elif kind == "transfer":
            self.transfer(source, destination, quantity)
        else:
            self.adjust(source)

    def _committed(self, response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    def _refused_when_short(self, response: httpx.Response, wanted: int, available: int) -> bool:
        if wanted <= available:
            return False
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "insufficient_stock"
        self.refused.append(response.headers["x-request-id"])
        return True

    def _expect(
        self,
        kind: str,
        location: str,
        delta: int,
        level: dict[str, Any],
        response: httpx.Response,
        reference: str | None = None,
        reason: str | None = None,
    ) -> None:
        request_id = response.headers["x-request-id"]
        quantity_after = level["quantity"]
        self.expected.append(
            Expected(kind, location, delta, quantity_after, request_id, reference, reason)
        )


def audit_rows(client: httpx.Client, sku: str) -> list[dict[str, Any]]:
    """Every movement of the SKU, walking all pages of /reports/movements."""
    return walk_pages(client, "/reports/movements", {"sku": sku, "limit": 100})


def wait_for_rows(client: httpx.Client, sku: str, count: int) -> list[dict[str, Any]]:
    """The SKU's rows once there are `count`, re-read after a settling pause (late extras)."""
    return wait_for_all_rows(client, {sku: count})[sku]


def wait_for_all_rows(client: httpx.Client, counts: dict[str, int]) -> dict[str, list[Any]]:
    """Each SKU's rows once it has its count (each SKU with its own deadline), all re-read after
    one settling pause: late extras of any of them would show."""
    for sku, count in counts.items():
        deadline = time.monotonic() + AUDIT_TIMEOUT_SECONDS
        while len(rows := audit_rows(client, sku)) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(rows) >= count, f"{len(rows)} of {count} rows after {AUDIT_TIMEOUT_SECONDS} s"
    time.sleep(SETTLE_SECONDS)
    return {sku: audit_rows(client, sku) for sku in counts}


def assert_exactly_once(rows: list[dict[str, Any]], movements: Movements) -> None:
    """One row per committed change (each transfer leg once), each as the change was made;
    nothing for a refused request."""
    ids = [row["movement_id"] for row in rows]
    assert len(ids) == len(set(ids)), "a movement was recorded twice"
    actual = {(row["request_id"], row["type"]): row for row in rows}
    assert len(actual) == len(rows), "two rows for one change"
    expected = {(item.request_id, item.type): item for item in movements.expected}
    assert not {request_id for request_id, _ in actual} & set(movements.refused)
    assert actual.keys() == expected.keys()
    for key, item in expected.items():
        row = actual[key]
        assert row["sku"] == movements.sku
        assert row["actor"] == OPERATOR_NAME
        recorded = (row["location_code"], row["delta"], row["quantity_after"])
        assert recorded == (item.location_code, item.delta, item.quantity_after), key
        assert (row["reference"], row["reason"]) == (item.reference, item.reason), key
    assert_transfer_legs_paired(rows)


def assert_transfer_legs_paired(rows: list[dict[str, Any]]) -> None:
    """Both legs of a transfer (one request) carry one transfer_id, no other movement any."""
    legs: dict[str, set[str]] = {}
    for row in rows:
        if row["type"] in {"transfer_out", "transfer_in"}:
            legs.setdefault(row["request_id"], set()).add(row["transfer_id"])
        else:
            assert row["transfer_id"] is None, row
    assert all(len(ids) == 1 and None not in ids for ids in legs.values()), legs
    assert len({next(iter(ids)) for ids in legs.values()}) == len(legs)


def run_movements(client: httpx.Client, sku: str, steps: int, seed: int) -> Movements:
    movements = Movements(client, sku, random.Random(seed))
    for location in LOCATIONS:  # every location gets a record first: no 404 later
        movements.restock(location)
    for _ in range(steps - len(LOCATIONS)):
        movements.random_step()
    return movements


def test_a_movement_reaches_the_audit_log(stack: RunningStack, operator_token: str) -> None:
    """Its row, once, as it was made. How fast is the benchmark's question (`make bench`: audit
    lag), not a test's: the relay's 1 s batching window alone takes half of any tight limit."""
    with api_client(stack, operator_token) as client:
        movements = Movements(client, unique_sku(), random.Random(7))
        movements.restock("A-1")
        rows = wait_for_rows(client, movements.sku, 1)
    assert_exactly_once(rows, movements)


def test_mixed_movements_are_audited_exactly_once(
    stack: RunningStack, operator_token: str, record_property: Callable[[str, object], None]
) -> None:
    skus = [unique_sku() for _ in range(4)]

    def run(index: int) -> Movements:
        with api_client(stack, operator_token) as client:
            return run_movements(client, skus[index], 75, seed=index)

    with ThreadPoolExecutor(len(skus)) as pool:  # SKUs in parallel, each SKU in order
        all_movements = list(pool.map(run, range(len(skus))))
    refused = sum(len(movements.refused) for movements in all_movements)
    expected = sum(len(movements.expected) for movements in all_movements)
    assert refused > 0, "the mix must include refused movements"
    with api_client(stack, operator_token) as client:
        rows = wait_for_all_rows(client, {m.sku: len(m.expected) for m in all_movements})
    for movements in all_movements:
        assert_exactly_once(rows[movements.sku], movements)
    record_property("movements", {"requests": 300, "refused": refused, "audit_rows": expected})
    logger.info("300 movements: %d refused (409), %d audit rows", refused, expected)


def test_a_batch_of_100_restocks_makes_100_audit_entries(
    stack: RunningStack, operator_token: str
) -> None:
    sku = unique_sku()
    entries = [
        {"type": "restock", "sku": sku, "quantity": n + 1, "location_code": f"R-{n:02d}"}
        for n in range(100)
    ]
    entries[7]["reference"] = "PO-OWN"
    with api_client(stack, operator_token) as client:
        response = client.post(
            "/inventory/movements", json={"movements": entries, "reference": "DELIVERY-100"}
        )
        assert response.status_code == 200, response.text
        rows = wait_for_rows(client, sku, 100)
    request_id = response.headers["x-request-id"]
    assert len(rows) == len({row["movement_id"] for row in rows}) == 100
    recorded = {
        row["location_code"]: (row["type"], row["delta"], row["quantity_after"], row["reference"])
        for row in rows
    }
    assert recorded == {
        f"R-{n:02d}": ("restock", n + 1, n + 1, "PO-OWN" if n == 7 else "DELIVERY-100")
        for n in range(100)
    }
    assert {(row["request_id"], row["actor"]) for row in rows} == {(request_id, OPERATOR_NAME)}


def test_each_entry_of_a_batch_is_audited_as_if_sent_alone(
    stack: RunningStack, operator_token: str
) -> None:
    with api_client(stack, operator_token) as client:
        movements = Movements(client, unique_sku(), random.Random(5))
        for location in LOCATIONS:
            movements.restock(location)
        sku = movements.sku
        entries = [
            {"type": "pick", "sku": sku, "quantity": 1, "location_code": "A-1"},
            {"type": "transfer", "sku": sku, "quantity": 1, "from_location": "B-2",
             "to_location": "D-4", "reference": "TR-OWN"},
            {"type": "adjust", "sku": sku, "location_code": "C-3", "counted_quantity": 50,
             "reason": "found"},
        ]  # fmt: skip
        response = client.post("/inventory/movements", json={"movements": entries,
                                                               "reference": "WAVE-9"})  # fmt: skip
        pick, transfer, adjust = movements._committed(response, 200)["results"]
        stock = movements.stock
        movements._expect("pick", "A-1", -1, pick, response, reference="WAVE-9")
        movements._expect("transfer_out", "B-2", -1, transfer["source"], response, "TR-OWN")
        movements._expect("transfer_in", "D-4", 1, transfer["destination"], response, "TR-OWN")
        assert adjust["delta"] == 50 - stock["C-3"]
        movements._expect("adjust", "C-3", adjust["delta"], adjust, response, "WAVE-9", "found")
        rows = wait_for_rows(client, sku, len(movements.expected))
    assert_exactly_once(rows, movements)


def relay_poller(stack: RunningStack) -> StreamPoller:
    (poller,) = [
        poller
        for poller in stack.pollers
        if isinstance(poller, StreamPoller) and poller.source.function.logical_id == RELAY
    ]
    return poller


class SendOutage:
    """A botocore hook refusing every SendMessageBatch for FAULT_SECONDS from the first one:
    a short SQS outage, well within the relay mapping's retries."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self.refused: list[float] = []

    def __call__(self, **kwargs: Any) -> None:
        now = time.monotonic()
        if not self.refused or now < self.refused[0] + FAULT_SECONDS:
            self.refused.append(now)
            raise EndpointConnectionError(endpoint_url=self.endpoint_url)


def test_no_audit_entry_is_lost_while_the_relay_cannot_send(
    stack: RunningStack, operator_token: str, sqs: "SQSClient"
) -> None:
    relay = relay_poller(stack)
    outage = SendOutage(stack.sqs_url)
    events = sqs_client().meta.events  # the layer's client: the relay sends with it
    events.register("before-send.sqs.SendMessageBatch", outage)
    try:
        with api_client(stack, operator_token) as client:
            movements = run_movements(client, unique_sku(), 40, seed=99)
            rows = wait_for_rows(client, movements.sku, len(movements.expected))
    finally:
        events.unregister("before-send.sqs.SendMessageBatch", outage)
    assert len(outage.refused) >= 3, "the relay's sends did not fail for a while"
    assert_exactly_once(rows, movements)
    assert any(invocation.failed_ids for invocation in relay.invocations())
    failure_queue = relay.source.on_failure_queue_url
    assert failure_queue is not None
    given_up = sqs.receive_message(QueueUrl=failure_queue, WaitTimeSeconds=0)
    assert given_up.get("Messages", []) == [], "the relay gave records up"


def audit_consumer(stack: RunningStack) -> QueuePoller:
    (poller,) = [
        poller
        for poller in stack.pollers
        if isinstance(poller, QueuePoller) and poller.source.function.logical_id == CONSUMER
    ]
    return poller


def valid_message(sku: str, version: int) -> str:
    movement = MovementMessage(
        movement_id=movement_id(sku, "P-1", version),
        type=MovementType.RESTOCK,
        sku=sku,
        location_code="P-1",
        delta=1,
        quantity_after=version,
        actor="poison-test",
        request_id=str(uuid.uuid4()),
        occurred_at=datetime.now(UTC),
        version=version,
    )
    return movement.model_dump_json()


def wait_for_dead_letter(sqs: "SQSClient", queue_url: str, body: str) -> dict[str, Any]:
    deadline = time.monotonic() + AUDIT_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            if message["Body"] == body:
                return dict(message)
    pytest.fail(f"the poison message is not in {queue_url} after {AUDIT_TIMEOUT_SECONDS} s")


def test_a_poison_message_ends_in_the_dead_letter_queue_and_the_rest_is_written(
    stack: RunningStack, admin: httpx.Client, sqs: "SQSClient"
) -> None:
    consumer = audit_consumer(stack)
    queue = consumer.source.queue_url
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["RedrivePolicy"])
    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
    sku, poison = unique_sku(), json.dumps({"movement_id": f"poison-{uuid.uuid4()}"})
    entries = [
        {"Id": f"valid{version}", "MessageBody": valid_message(sku, version)}
        for version in range(1, 10)
    ]
    entries.insert(4, {"Id": "poison", "MessageBody": poison})
    # A common delay makes them visible together, so they arrive in the same batch.
    sent = sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[entry | {"DelaySeconds": 1} for entry in entries],  # type: ignore[misc]
    )
    poison_id = next(item["MessageId"] for item in sent["Successful"] if item["Id"] == "poison")

    rows = wait_for_rows(admin, sku, 9)
    assert sorted(row["quantity_after"] for row in rows) == list(range(1, 10))
    wait_for_dead_letter(sqs, queue_url_of(redrive["deadLetterTargetArn"]), poison)

    receives = [call for call in consumer.invocations() if poison_id in call.record_ids]
    assert len(receives) == int(redrive["maxReceiveCount"])
    assert all(call.failed_ids == (poison_id,) for call in receives)
    assert len(receives[0].record_ids) > 1, "the poison shared its first batch with valid ones"
    assert receives[0].error is None  # a partial batch failure, not a failed invocation


def test_a_record_sqs_refuses_is_dead_lettered_without_holding_back_the_rest_and_redriven(
    stack: RunningStack, operator_token: str, sqs: "SQSClient"
) -> None:
    """The local stack's relay with SQS refusing one SKU's messages for their content: that
    movement waits in RelayDeadLetterQueue while later ones are audited; once SQS takes it
    again, `make redrive-audit` (its `run`) puts it in the audit log."""
    refused_sku = unique_sku()

    def refuse(queue: str, body: str) -> Failure | None:
        if queue == "AuditQueue" and refused_sku in body:
            return Failure("InvalidMessageContents", sender_fault=True)
        return None

    dead_letters = stack.queue_urls["RelayDeadLetterQueue"]
    with api_client(stack, operator_token) as client:
        with SqsFaults(sqs_client(), [refuse]):
            refused = Movements(client, refused_sku, random.Random(1))
            refused.restock("A-1")
            later = run_movements(client, unique_sku(), 6, seed=2)
            assert_exactly_once(wait_for_rows(client, later.sku, len(later.expected)), later)
        assert audit_rows(client, refused_sku) == []
        out = io.StringIO()
        assert redrive_audit.run(sqs, dead_letters, stack.queue_urls["AuditQueue"], out) == 0
        assert out.getvalue() == "1 redriven to the audit queue, 0 kept\n"
        assert_exactly_once(wait_for_rows(client, refused_sku, 1), refused)


def test_movement_filters_over_the_local_stack(stack: RunningStack, operator_token: str) -> None:
    """type, since and until, alone and with the SKU and a location, return exactly the rows
    the unfiltered history holds for them, page by page."""
    with api_client(stack, operator_token) as client:
        movements = run_movements(client, unique_sku(), 30, seed=15)
        rows = wait_for_rows(client, movements.sku, len(movements.expected))
        assert_exactly_once(rows, movements)
        assert {row["type"] for row in rows} >= {"restock", "transfer_out", "transfer_in"}

        def walk(**filters: str) -> list[str]:
            params: dict[str, str | int] = {"sku": movements.sku, "limit": 3, **filters}
            return [row["movement_id"] for row in walk_pages(client, "/reports/movements", params)]

        for kind in sorted({row["type"] for row in rows}):
            assert walk(type=kind) == [r["movement_id"] for r in rows if r["type"] == kind]

        def at(row: dict[str, Any]) -> datetime:
            return datetime.fromisoformat(row["occurred_at"])

        times = sorted({row["occurred_at"] for row in rows}, key=datetime.fromisoformat)
        since, until = times[len(times) // 4], times[3 * len(times) // 4]
        window = (datetime.fromisoformat(since), datetime.fromisoformat(until))
        inside = [r for r in rows if window[0] <= at(r) < window[1]]
        assert inside and len(inside) < len(rows)
        assert walk(since=since, until=until) == [r["movement_id"] for r in inside]
        location = LOCATIONS[0]
        expected = [
            r["movement_id"]
            for r in inside
            if r["location_code"] == location and r["type"] == "restock"
        ]
        assert walk(since=since, until=until, location_code=location, type="restock") == expected
