"""Lambda handlers that are not HTTP: the authorizer, the stream relay, the audit consumer and
the projector. Each gets its collaborators from wiring.py.
"""
