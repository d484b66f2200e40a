"""Lambda entry point of GET /reports/movements."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.list_movements import router

handler = make_handler(router)
