"""Framework-free types and rules: stock, items, tokens, roles, errors, paging, input rules.

Imports nothing of the package outside domain/, and no framework or AWS library: every other
layer builds on it (tests/unit/test_import_direction.py).
"""
