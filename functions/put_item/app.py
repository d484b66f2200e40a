"""Lambda entry point of PUT /items/{sku}."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.put_item import router

handler = make_handler(router)
