"""Lambda entry point of GET /tokens."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.list_tokens import router

handler = make_handler(router)
