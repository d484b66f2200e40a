"""Lambda entry point of the audit consumer: audit queue -> audit table."""

from warehouse_inventory.consumers.audit_consumer import handler

__all__ = ["handler"]
