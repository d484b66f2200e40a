"""DELETE /tokens/{token_id}: revoke a token; the authorizer refuses it from then on."""

from typing import Annotated

from fastapi import Path, Response

from warehouse_inventory.domain.errors import NotFound
from warehouse_inventory.http.dependencies import TokenServiceDep
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.http.route_errors import raises

router = api_router("tokens")

TokenId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^tok_[0-9a-f]+$")]


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
@raises(NotFound)
async def revoke_token(token_id: TokenId, service: TokenServiceDep) -> Response:
    service.revoke(token_id)
    return Response(status_code=204)
