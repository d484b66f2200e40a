"""Lambda entry point of GET /inventory/{sku}."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.get_inventory import router

handler = make_handler(router)
