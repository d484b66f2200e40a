"""Lambda entry point of GET /reports/low-stock."""

from warehouse_inventory.http.lambda_app import make_handler
from warehouse_inventory.http.routes.low_stock_report import router

handler = make_handler(router)
