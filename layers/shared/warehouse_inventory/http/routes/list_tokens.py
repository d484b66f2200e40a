"""GET /tokens: the live tokens, never their secrets (only hashes are stored)."""

from warehouse_inventory.http.dependencies import TokenServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.tokens import TokenList, TokenOut

router = api_router("tokens")


@router.get("/tokens", response_model=TokenList)
async def list_tokens(service: TokenServiceDep) -> TokenList:
    return TokenList(items=[TokenOut.of(token) for token in service.active_tokens()])
