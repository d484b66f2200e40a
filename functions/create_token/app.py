"""Lambda entry point of POST /tokens."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.create_token import router

handler = make_handler(router)
