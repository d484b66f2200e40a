"""Who is calling and which operation a request is: what every stock write remembers."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the API Gateway authorizer vouched for it."""

    token_id: str | None
    name: str
    role: str | None


ANONYMOUS = Principal(token_id=None, name="anonymous", role=None)


@dataclass(frozen=True)
class RequestMeta:
    """`request_id` is what the client and the audit trail see; `operation_id` identifies the
    operation for the write's retry guard (see docs/idempotency.md): the same for every attempt
    at one operation, different for every other. Without one, the request id serves."""

    principal: Principal
    request_id: str
    operation_id: str | None = None

    @property
    def operation(self) -> str:
        return self.operation_id or self.request_id
