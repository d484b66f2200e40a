"""Lambda entry point of the outbox relay: inventory table stream -> audit queue."""

from warehouse_inventory.consumers.stream_relay import handler

__all__ = ["handler"]
