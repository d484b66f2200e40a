"""Lambda entry point of GET /items/{sku}."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.get_item import router

handler = make_handler(router)
