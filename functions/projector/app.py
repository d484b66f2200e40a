"""Lambda entry point of the projector: inventory table stream -> report projections."""

from warehouse_inventory.consumers.projector import handler

__all__ = ["handler"]
