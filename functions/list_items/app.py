"""Lambda entry point of GET /items."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.list_items import router

handler = make_handler(router)
