"""POST /tokens: a new API token; its secret is in this response and nowhere else."""

from fastapi import APIRouter

from warehouse_inventory.http.dependencies import TokenServiceDep
from warehouse_inventory.schemas.inventory import IssuedTokenOut, TokenIn

router = APIRouter(tags=["tokens"])


@router.post("/tokens", status_code=201, response_model=IssuedTokenOut)
async def create_token(body: TokenIn, service: TokenServiceDep) -> IssuedTokenOut:
    issued = service.issue(body.name, body.role)
    token = issued.token
    return IssuedTokenOut(
        token_id=token.token_id,
        name=token.name,
        role=token.role,
        created_at=token.created_at,
        token=issued.secret,
    )
