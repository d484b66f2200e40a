"""Lambda entry point of GET /inventory."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.list_inventory import router

handler = make_handler(router)
