"""The contract's JSON models (Pydantic): request and response bodies and the audit messages.

Built on domain/ only, so services, consumers and the HTTP layer share one definition.
"""
