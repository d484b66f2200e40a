"""Lambda entry point of POST /inventory/pick."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.pick import router

handler = make_handler(router)
