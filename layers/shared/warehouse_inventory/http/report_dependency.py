"""The report routes' service as an `async def` dependency, like those in dependencies.py (a sync
one costs a worker thread per request); in its own module so that only the two report functions
import the report code."""

from typing import Annotated

from fastapi import Depends

from warehouse_inventory import wiring
from warehouse_inventory.services.reports import ReportService


async def report_service() -> ReportService:
    return wiring.report_service()


ReportServiceDep = Annotated[ReportService, Depends(report_service)]
