"""One module per API route, each with its `router`: a function's entry module serves one, the
OpenAPI document walks them all.
"""
