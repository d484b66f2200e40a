"""Lambda entry point of POST /inventory/movements."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.batch_movements import router

handler = make_handler(router)
