"""The audit trail: stock-record changes from the table's stream become movements on the audit
queue (relay), and the queue's consumer writes them to the append-only audit table."""
