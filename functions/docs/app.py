"""Lambda entry point of GET /api/openapi.json, GET /api/docs and the page's assets (its
script and stylesheet, in swagger_ui/ beside this file)."""

from pathlib import Path

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.openapi import docs_router, swagger_ui_router

handler = make_handler(docs_router, swagger_ui_router(Path(__file__).with_name("swagger_ui")))
