"""Lambda entry point of GET /api/openapi.json and GET /api/docs."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.openapi import docs_router

handler = make_handler(docs_router)
