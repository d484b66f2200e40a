"""`make openapi`: writes the API's OpenAPI document to openapi.json at the repository root.

It is the document GET /api/openapi.json serves (built by the same function, from every route of
the layer), committed so that clients and reviewers can read it without running anything;
tests/unit/test_openapi_file.py fails while the committed file differs from a fresh build.
`--check` only compares (exit 1 when stale).
"""

import argparse
import json
import sys

from warehouse_devstack.template import REPO_ROOT
from warehouse_inventory.http.openapi import openapi_document

OPENAPI_FILE = REPO_ROOT / "openapi.json"


def render() -> str:
    """The document as the file holds it: indented, keys in FastAPI's order, a final newline."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write openapi.json, the served OpenAPI document.")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when stale")
    args = parser.parse_args(argv)
    fresh = render()
    current = OPENAPI_FILE.read_text() if OPENAPI_FILE.exists() else None
    if args.check:
        if current != fresh:
            sys.stderr.write(f"{OPENAPI_FILE.name} is stale: run `make openapi`\n")
            return 1
        return 0
    if current != fresh:
        OPENAPI_FILE.write_text(fresh)
    sys.stdout.write(f"{OPENAPI_FILE} ({'updated' if current != fresh else 'unchanged'})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
