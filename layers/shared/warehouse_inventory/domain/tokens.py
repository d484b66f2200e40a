"""API tokens: random secrets shown once, stored only as their SHA-256."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from warehouse_inventory.domain.access import Role

TOKEN_PREFIX = "wh_"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True)
class ApiToken:
    token_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A new token with its secret: the only moment the secret exists outside the client."""

    token: ApiToken
    secret: str


def new_secret() -> str:
    """256 random bits; the prefix lets secret scanners recognise a leaked token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_token_id() -> str:
    return "tok_" + secrets.token_hex(8)


def secret_hash(secret: str) -> str:
    """A plain SHA-256 suffices: the secret has 256 bits of entropy, nothing to brute-force."""
    return hashlib.sha256(secret.encode()).hexdigest()


def bearer_secret(authorization: str | None) -> str | None:
    """The secret of an `Authorization: Bearer <secret>` header, or None."""
    scheme, _, secret = (authorization or "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > 200:
        return None
    return secret
