"""A deleted item stays deleted until a restock, adjust or PUT creates it again, at once; the
report projections (projector and rebuild) never create an item, and reports never show a
deleted one. On DynamoDB Local, with the projector fed from the table's stream."""

import uuid
from typing import TYPE_CHECKING

import pytest

from tests.support.dynamodb_local import LocalDynamo
from tests.support.projections import Universe, feed, reported, stock_records, universe
from warehouse_inventory.dal.projection_rebuild import rebuild
from warehouse_inventory.domain.caller import ANONYMOUS, RequestMeta
from warehouse_inventory.domain.errors import Conflict, NotFound
from warehouse_inventory.domain.items import ItemFields
from warehouse_inventory.schemas.inventory import AdjustIn, AdjustReason, PickIn, RestockIn
from warehouse_inventory.wiring import inventory_service, item_service

if TYPE_CHECKING:
    from warehouse_inventory.domain.items import Item

pytestmark = pytest.mark.dynamodb_local


def meta() -> RequestMeta:
    return RequestMeta(ANONYMOUS, f"req-{uuid.uuid4()}")


def restock(sku: str, location: str, quantity: int) -> None:
    inventory_service().restock(
        RestockIn(sku=sku, quantity=quantity, location_code=location), meta()
    )


def pick(sku: str, location: str, quantity: int) -> None:
    inventory_service().pick(PickIn(sku=sku, quantity=quantity, location_code=location), meta())


def item(sku: str) -> "Item | None":
    try:
        return item_service().get(sku)
    except NotFound:
        return None


def emptied_and_deleted(world: Universe) -> str:
    """Restock 5, pick 5, DELETE → 204: the item is gone, its empty stock record stays."""
    (sku,), (location,) = world.skus, world.locations
    restock(sku, location, 5)
    pick(sku, location, 5)
    item_service().delete(sku)
    return sku


def test_the_projector_does_not_bring_a_deleted_item_back(local_dynamo: LocalDynamo) -> None:
    world = universe(skus=1, locations=1)
    sku = emptied_and_deleted(world)

    feed(stock_records(local_dynamo, world))

    assert item(sku) is None
    assert reported(world) == ({}, {world.locations[0]: (0, 0)})


def test_a_projection_rebuild_does_not_bring_a_deleted_item_back(
    local_dynamo: LocalDynamo,
) -> None:
    world = universe(skus=1, locations=1)
    sku = emptied_and_deleted(world)

    rebuild(local_dynamo.client, local_dynamo.table_name)

    assert item(sku) is None


@pytest.mark.parametrize("movement", ["restock", "adjust"])
def test_a_movement_after_the_delete_recreates_the_item_at_once(
    local_dynamo: LocalDynamo, movement: str
) -> None:
    world = universe(skus=1, locations=1)
    sku = emptied_and_deleted(world)
    (location,) = world.locations

    if movement == "restock":
        restock(sku, location, 2)
    else:
        request = AdjustIn(
            sku=sku, location_code=location, counted_quantity=2, reason=AdjustReason.FOUND
        )
        inventory_service().adjust(request, meta())

    recreated = item(sku)
    assert recreated is not None
    assert (recreated.name, recreated.unit, recreated.reorder_point) == (sku, "each", 0)


def test_a_lagging_projector_never_gives_a_recreated_item_a_wrong_total(
    local_dynamo: LocalDynamo,
) -> None:
    """The item is deleted and created again (PUT) while the projector still has to take in
    the pick that emptied the stock: its total is the stock's (0, then 3), never negative."""
    world = universe(skus=1, locations=1)
    (sku,), (location,) = world.skus, world.locations
    restock(sku, location, 5)
    feed(stock_records(local_dynamo, world))  # total 5
    projected = len(stock_records(local_dynamo, world))
    pick(sku, location, 5)
    item_service().delete(sku)
    item_service().put(sku, ItemFields("Widget", None, "each", 10), None)

    feed(stock_records(local_dynamo, world)[projected:])
    low_after_pick, _ = reported(world)
    restock(sku, location, 3)
    feed(stock_records(local_dynamo, world)[projected + 1 :])

    assert low_after_pick == {sku: (0, 10)}
    assert reported(world) == ({sku: (3, 10)}, {location: (1, 3)})


@pytest.mark.parametrize("records", [100, 130])
def test_a_delete_does_not_depend_on_how_many_stock_records_the_sku_has(
    local_dynamo: LocalDynamo, records: int
) -> None:
    """A transaction holds 100 actions at most: the delete must not take one per record."""
    (sku,) = universe(skus=1, locations=0).skus
    locations = [f"BIN-{n:03d}" for n in range(records)]
    for location in locations:
        restock(sku, location, 1)
        pick(sku, location, 1)
    restock(sku, locations[-1], 1)

    with pytest.raises(Conflict):
        item_service().delete(sku)  # one location still holds stock
    pick(sku, locations[-1], 1)
    item_service().delete(sku)

    assert item(sku) is None
