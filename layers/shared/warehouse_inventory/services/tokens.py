"""Issuing, listing, revoking and checking API tokens. No FastAPI, boto3 or Lambda types here."""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.clock import utc_now
from warehouse_inventory.domain.tokens import (
    ApiToken,
    IssuedToken,
    bearer_secret,
    new_secret,
    new_token_id,
    secret_hash,
)

if TYPE_CHECKING:
    from warehouse_inventory.services.ports import TokenRepository


class TokenService:
    def __init__(
        self, repository: "TokenRepository", clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._repository = repository
        self._clock = clock

    def issue(self, name: str, role: Role, secret: str | None = None) -> IssuedToken:
        """A new token; `secret` is only given by the local stack's bootstrap admin token."""
        secret = secret or new_secret()
        token = ApiToken(token_id=new_token_id(), name=name, role=role, created_at=self._clock())
        self._repository.add(token, secret_hash(secret))
        return IssuedToken(token=token, secret=secret)

    def active_tokens(self) -> list[ApiToken]:
        return sorted(self._repository.list_active(), key=lambda token: token.created_at)

    def revoke(self, token_id: str) -> None:
        self._repository.revoke(token_id, self._clock())

    def authenticate(self, authorization: str | None) -> ApiToken | None:
        """The live token an Authorization header carries, or None (unknown, revoked, malformed)."""
        secret = bearer_secret(authorization)
        if secret is None:
            return None
        token = self._repository.find_by_hash(secret_hash(secret))
        if token is None or token.revoked_at is not None:
            return None
        return token
