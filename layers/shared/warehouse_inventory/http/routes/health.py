"""GET /health: liveness and the deployed version, no AWS calls."""

from warehouse_inventory.http.request_body import api_router
from warehouse_inventory.schemas.health import HealthOut
from warehouse_inventory.settings import get_settings

router = api_router("health")


@router.get("/health", response_model=HealthOut)
async def health() -> HealthOut:
    return HealthOut(status="ok", version=get_settings().service_version)
