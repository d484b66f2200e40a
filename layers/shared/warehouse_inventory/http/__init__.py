"""The HTTP adapter: the FastAPI app factory behind every API function, its middlewares,
dependencies, idempotency, error responses and OpenAPI document, and the routes (routes/).
"""
