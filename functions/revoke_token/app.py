"""Lambda entry point of DELETE /tokens/{token_id}."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.revoke_token import router

handler = make_handler(router)
