"""Lambda entry point of GET /me."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.me import router

handler = make_handler(router)
