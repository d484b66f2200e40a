"""Lambda entry point of the outbox relay: inventory table stream -> audit queue."""

from warehouse_inventory.audit.handlers import relay_handler as handler

__all__ = ["handler"]
