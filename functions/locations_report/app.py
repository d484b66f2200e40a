"""Lambda entry point of GET /reports/locations."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.locations_report import router

handler = make_handler(router)
