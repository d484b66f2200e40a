"""Lambda entry point of POST /inventory/transfer."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.transfer import router

handler = make_handler(router)
