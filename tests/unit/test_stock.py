"""Stable ids: one per (sku, location), the same on every call and every machine."""

from warehouse_inventory.domain.stock import stable_stock_id


def test_id_is_deterministic_and_location_specific() -> None:
    assert stable_stock_id("ABC", "A-1") == stable_stock_id("ABC", "A-1")
    assert stable_stock_id("ABC", "A-1") != stable_stock_id("ABC", "A-2")
    assert stable_stock_id("ABC", None) != stable_stock_id("ABC", "A-1")


def test_id_is_safe_for_javascript_clients() -> None:
    ids = {stable_stock_id(f"SKU{n}", f"L-{n % 7}") for n in range(10_000)}
    assert len(ids) == 10_000
    assert all(0 <= value < 2**53 for value in ids)


def test_known_value_never_changes() -> None:
    """Clients store ids: changing the derivation would silently break them."""
    assert stable_stock_id("ABC1", "A-1") == 1010515256128790
