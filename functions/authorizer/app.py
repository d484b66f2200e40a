"""Lambda entry point of the API's TOKEN authorizer."""

from warehouse_inventory.consumers.authorizer import handler

__all__ = ["handler"]
