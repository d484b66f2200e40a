"""Lambda entry point of DELETE /items/{sku}."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.delete_item import router

handler = make_handler(router)
