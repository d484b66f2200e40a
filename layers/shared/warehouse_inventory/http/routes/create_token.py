"""POST /tokens: a new API token; its secret is in this response and nowhere else."""

from warehouse_inventory.http.dependencies import TokenServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.tokens import IssuedTokenOut, TokenIn

router = api_router("tokens")


@router.post("/tokens", status_code=201, response_model=IssuedTokenOut)
async def create_token(body: TokenIn, service: TokenServiceDep) -> IssuedTokenOut:
    return IssuedTokenOut.of_issued(service.issue(body.name, body.role))
