"""GET /reports/movements' body: a page of the movement history. Apart from movements.py, so the
relay and the audit consumer, which share the Movement message, load no page model."""

from warehouse_inventory.schemas.base import PageOut
from warehouse_inventory.schemas.movements import Movement


class MovementPageOut(PageOut[Movement]):
    pass
