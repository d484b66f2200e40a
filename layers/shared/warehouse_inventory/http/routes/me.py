"""GET /me: which token, with which name and role, is calling; from the authorizer's context, so
no AWS call."""

from fastapi import Request

from warehouse_inventory.domain.errors import Unauthorized
from warehouse_inventory.http.context import principal_of
from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.tokens import CallerOut

router = api_router("tokens")


@router.get("/me", response_model=CallerOut)
async def me(request: Request) -> CallerOut:
    caller = principal_of(request.scope)
    if caller.token_id is None:  # an event without the authorizer's context
        raise Unauthorized
    return CallerOut(token_id=caller.token_id, name=caller.name, role=caller.role)
