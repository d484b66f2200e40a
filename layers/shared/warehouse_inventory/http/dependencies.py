"""FastAPI dependencies, declared once as Annotated aliases: the one way a route gets its
service, from wiring.py.

Every dependency is `async def`: FastAPI runs a plain `def` one in a worker thread, and under
Mangum each request is a new event-loop task whose worker threads end with it, so a sync
dependency costs a thread start per request. The factories are looked up in wiring when called,
so tests and the benchmark can replace them. The service classes are named for the type checker
only: a function imports just the service its route uses, on the first request (wiring).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from warehouse_inventory import wiring
from warehouse_inventory.domain.caller import RequestMeta
from warehouse_inventory.http.context import principal_of
from warehouse_inventory.http.idempotency import IdempotencyKey, operation_id

if TYPE_CHECKING:
    from warehouse_inventory.services.inventory import InventoryService
    from warehouse_inventory.services.items import ItemService
    from warehouse_inventory.services.movements import MovementHistory
    from warehouse_inventory.services.reports import ReportService
    from warehouse_inventory.services.tokens import TokenService


async def inventory_service() -> "InventoryService":
    return wiring.inventory_service()


async def item_service() -> "ItemService":
    return wiring.item_service()


async def token_service() -> "TokenService":
    return wiring.token_service()


async def report_service() -> "ReportService":
    return wiring.report_service()


async def movement_history() -> "MovementHistory":
    return wiring.movement_history()


AWS_BACKED = frozenset(
    {inventory_service, item_service, token_service, report_service, movement_history}
)
"""The services whose calls reach AWS: a route depending on one may answer 503."""


@dataclass(frozen=True)
class Movement:
    """Who asks, and the Idempotency-Key its answer is kept under: one dependency reading the
    header once (FastAPI solves a parameter again in every dependant that declares it)."""

    meta: RequestMeta
    idempotency_key: str | None


async def movement_request(request: Request, idempotency_key: IdempotencyKey = None) -> Movement:
    """The caller, the request id it sees, and the operation the stock write remembers."""
    principal = principal_of(request.scope)
    meta = RequestMeta(
        principal=principal,
        request_id=request.state.request_id,
        operation_id=operation_id(request, principal, idempotency_key),
    )
    return Movement(meta, idempotency_key)


InventoryServiceDep = Annotated["InventoryService", Depends(inventory_service)]
ItemServiceDep = Annotated["ItemService", Depends(item_service)]
TokenServiceDep = Annotated["TokenService", Depends(token_service)]
ReportServiceDep = Annotated["ReportService", Depends(report_service)]
MovementHistoryDep = Annotated["MovementHistory", Depends(movement_history)]
MovementDep = Annotated[Movement, Depends(movement_request)]
