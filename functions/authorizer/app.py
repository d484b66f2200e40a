"""Lambda entry point of the API's TOKEN authorizer."""

from warehouse_inventory.authorizer import handler

__all__ = ["handler"]
