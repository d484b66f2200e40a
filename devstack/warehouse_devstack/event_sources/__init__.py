"""Lambda's event source mappings for the local stack: the template's mappings, their filters,
and the pollers that feed the table's stream and the queues to the functions."""
