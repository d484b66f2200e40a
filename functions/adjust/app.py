"""Lambda entry point of POST /inventory/adjust."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.adjust import router

handler = make_handler(router)
