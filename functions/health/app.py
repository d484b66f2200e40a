"""Lambda entry point of GET /health."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.health import router

handler = make_handler(router)
