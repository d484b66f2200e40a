"""Lambda entry point of POST /inventory/restock."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.restock import router

handler = make_handler(router)
