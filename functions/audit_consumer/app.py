"""Lambda entry point of the audit consumer: audit queue -> audit table."""

from warehouse_inventory.consumers.stream_relay import consumer_handler as handler

__all__ = ["handler"]
