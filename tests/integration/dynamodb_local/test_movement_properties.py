"""Random movement sequences through InventoryService on DynamoDB Local, checked step by step
against the in-memory FakeInventoryRepository as the model, and at the end against the stream.

The fake is the plain statement of the stock rules; DynamoDB applies them with conditional writes
and a transaction. Agreeing on every outcome (the result, or which error with which details) and
on every level after every step shows the expressions encode the rules. At the end of each example
the movements rebuilt from the stream (delta = new - old per change) must be exactly the model's
history per record, so the stream is a complete and exact outbox.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.support.dynamodb_local import CLERK, ClientFactory, LocalDynamo, fresh_sku, images
from tests.support.fakes import FakeInventoryRepository
from warehouse_devstack.event_sources.stream_reader import read_stream
from warehouse_inventory.dal import keys
from warehouse_inventory.dal.stock_repository import DynamoDBInventoryRepository
from warehouse_inventory.domain.caller import RequestMeta
from warehouse_inventory.domain.errors import WarehouseError
from warehouse_inventory.schemas.inventory import (
    AdjustIn,
    AdjustReason,
    PickIn,
    RestockIn,
    TransferIn,
)
from warehouse_inventory.services.inventory import InventoryService
from warehouse_inventory.services.paging import CursorCodec

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.dynamodb_local

SKUS_PER_EXAMPLE = 2
LOCATIONS: tuple[str | None, ...] = (None, "A-1", "B-2")  # None: unassigned stock
ROUTES = [(a, b) for a in LOCATIONS for b in LOCATIONS if a != b]
EPOCH = datetime(2030, 1, 1, tzinfo=UTC)

skus = st.integers(0, SKUS_PER_EXAMPLE - 1)
locations = st.sampled_from(LOCATIONS)
quantities = st.integers(1, 8)  # small against the levels, so shortages happen often

Outcome = tuple[str, Any]
History = list[tuple[int, int, str, str]]  # per record: (quantity, version, type, request_id)


def outcome(call: "Callable[[], Any]") -> Outcome:
    """What a caller can observe: the result, or the error code with its details."""
    try:
        return ("ok", call())
    except WarehouseError as exc:
        return ("error", (exc.code, exc.details))


class MovementMachine(RuleBasedStateMachine):
    """One example: its own SKUs (the emulator is shared), a fresh model, a step clock.

    Hypothesis builds the machine from its class, so the emulator comes as class attributes.
    """

    local: ClassVar[LocalDynamo]
    client: ClassVar["DynamoDBClient"]

    def __init__(self) -> None:
        super().__init__()
        self.skus = [fresh_sku() for _ in range(SKUS_PER_EXAMPLE)]
        self.model = FakeInventoryRepository()
        self.now = EPOCH
        codec = CursorCodec(b"x" * 32, 60)
        self.repository = DynamoDBInventoryRepository(self.client, self.local.table_name)
        self.real = InventoryService(self.repository, codec, clock=lambda: self.now)
        self.expected = InventoryService(self.model, codec, clock=lambda: self.now)
        self.steps = 0

    def both(self, run: "Callable[[InventoryService, RequestMeta], Any]") -> Outcome:
        """Run one movement on DynamoDB and on the model with the same request id and time.

        Request ids are unique in the session, like API Gateway's: the repository takes a write
        carrying the same request id for an SDK retry of itself, and DynamoDB keeps a transfer's
        ClientRequestToken (derived from it) for 10 minutes.
        """
        self.steps += 1
        self.now = EPOCH + timedelta(seconds=self.steps)
        meta = RequestMeta(CLERK, f"{self.skus[0]}-step-{self.steps}")
        real = outcome(lambda: run(self.real, meta))
        expected = outcome(lambda: run(self.expected, meta))
        assert real == expected
        return real

    def version(self, sku: str, location: str | None) -> int:
        level = self.model.levels.get((sku, location))
        return level.version if level else 0

    @initialize(
        opening=st.lists(st.integers(1, 20), min_size=SKUS_PER_EXAMPLE, max_size=SKUS_PER_EXAMPLE)
    )
    def opening_stock(self, opening: list[int]) -> None:
        """Stock at A-1 for every SKU, so picks and transfers mostly find something to move
        (Hypothesis' swarm testing may leave restock out of a whole example)."""
        for sku, quantity in enumerate(opening):
            self.restock(sku, "A-1", quantity)

    @rule(sku=skus, location=locations, quantity=quantities)
    def restock(self, sku: int, location: str | None, quantity: int) -> None:
        request = RestockIn(sku=self.skus[sku], quantity=quantity, location_code=location)
        self.both(lambda service, meta: service.restock(request, meta))

    @rule(sku=skus, location=locations, quantity=quantities)
    def pick(self, sku: int, location: str | None, quantity: int) -> None:
        request = PickIn(sku=self.skus[sku], quantity=quantity, location_code=location)
        self.both(lambda service, meta: service.pick(request, meta))

    @rule(sku=skus, route=st.sampled_from(ROUTES), quantity=quantities)
    def transfer(self, sku: int, route: tuple[str | None, str | None], quantity: int) -> None:
        source, destination = route
        request = TransferIn(
            sku=self.skus[sku], quantity=quantity, from_location=source, to_location=destination
        )
        self.both(lambda service, meta: service.transfer(request, meta))

    @rule(
        sku=skus,
        location=locations,
        counted=st.integers(0, 12),
        reason=st.sampled_from(AdjustReason),
        precondition=st.sampled_from(["none", "current", "stale"]),
        via_if_match=st.booleans(),
    )
    def adjust(
        self,
        sku: int,
        location: str | None,
        counted: int,
        reason: AdjustReason,
        precondition: str,
        via_if_match: bool,
    ) -> None:
        """Unconditional, or with the record's current version (applies), or a stale one (412);
        given in the body or as If-Match. No record yet: version 1 is stale too."""
        current = self.version(self.skus[sku], location)
        expected = {"none": None, "current": max(current, 1), "stale": current + 1}[precondition]
        request = AdjustIn(
            sku=self.skus[sku],
            location_code=location,
            counted_quantity=counted,
            reason=reason,
            expected_version=None if via_if_match else expected,
        )
        if_match = expected if via_if_match else None
        self.both(lambda service, meta: service.adjust(request, meta, if_match))

    @invariant()
    def same_levels_and_items_and_none_negative(self) -> None:
        """The repository's read (one consistent Query per SKU) equals the model; the item
        exists exactly when the model ensured it."""
        for sku in self.skus:
            real, expected = self.repository.sku_stock(sku), self.model.sku_stock(sku)
            assert real == expected
            assert all(level.quantity >= 0 for level in real.levels)
            assert self.item_exists(sku) == (sku in self.model.items)

    def item_exists(self, sku: str) -> bool:
        response = self.local.client.get_item(
            TableName=self.local.table_name,
            Key=keys.item_key(sku),
            ConsistentRead=True,
            ProjectionExpression="sk",
        )
        return "Item" in response

    def teardown(self) -> None:
        """The stream, per record: the model's history exactly, and deltas summing to on-hand."""
        partitions = {keys.sku_pk(sku): sku for sku in self.skus}
        streamed: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
        sums: dict[tuple[str, str | None], int] = defaultdict(int)
        for record in read_stream(self.local.streams, self.local.stream_arn):
            key = record.get("dynamodb", {}).get("Keys", {})
            sku = partitions.get(key.get("pk", {}).get("S", ""))
            sort_key = key.get("sk", {}).get("S", "")
            if sku is None or not sort_key.startswith(keys.STOCK_SK_PREFIX):
                continue
            old, new = images(record)
            location = sort_key.removeprefix(keys.STOCK_SK_PREFIX) or None
            streamed[(sku, location)].append(new)
            sums[(sku, location)] += new["quantity"] - old.get("quantity", 0)

        expected: dict[tuple[str, str | None], History] = defaultdict(list)
        for level, movement in self.model.movements:
            expected[(level.sku, level.location_code)].append(
                (level.quantity, level.version, str(movement.type), movement.request_id)
            )
        rebuilt = {
            record: [
                (
                    int(new["quantity"]),
                    int(new["version"]),
                    new["last_movement"]["type"],
                    new["last_movement"]["request_id"],
                )
                for new in changes
            ]
            for record, changes in streamed.items()
        }
        assert rebuilt == expected
        on_hand = {
            (level.sku, level.location_code): level.quantity for level in self.model.levels.values()
        }
        assert dict(sums) == on_hand


def test_random_movements_agree_with_the_model_and_the_stream(
    local_dynamo: LocalDynamo, emulator_client: ClientFactory
) -> None:
    class OnTheEmulator(MovementMachine):
        local = local_dynamo
        client = emulator_client(1)  # no SDK retry: every answer is DynamoDB's first one

    run_state_machine_as_test(
        OnTheEmulator,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            database=None,  # no example database written into the repository
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
