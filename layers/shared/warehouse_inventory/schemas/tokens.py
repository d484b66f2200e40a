"""API token bodies: a new token's secret appears in IssuedTokenOut and nowhere else."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.tokens import ApiToken, IssuedToken
from warehouse_inventory.schemas.base import RequestModel, Text


class TokenIn(RequestModel):
    name: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    role: Annotated[Role, Field(strict=False)]  # JSON carries the role as its string value


class TokenOut(BaseModel):
    token_id: str
    name: str
    role: Annotated[Role, Field(strict=False)]  # JSON carries the role as its string value
    created_at: datetime

    @classmethod
    def of(cls, token: ApiToken) -> "TokenOut":
        return cls(
            token_id=token.token_id, name=token.name, role=token.role, created_at=token.created_at
        )


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The secret. Shown once: only its hash is stored.")

    @classmethod
    def of_issued(cls, issued: IssuedToken) -> "IssuedTokenOut":
        return cls(**TokenOut.of(issued.token).model_dump(), token=issued.secret)


class TokenList(BaseModel):
    items: list[TokenOut]


class CallerOut(BaseModel):
    """The calling token, as the authorizer vouched for it (never its secret)."""

    token_id: str
    name: str
    role: Annotated[Role, Field(strict=False)]
