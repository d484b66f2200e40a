"""`sam` (run by .venv-sam's Python, see warehouse_devstack/sam_cli.py) with one fix for
`sam local start-api`.

SAM CLI 1.170 merges the routes one function has on one path into a single route that keeps the
authorizer of whichever route came last, in the iteration order of a set of routes, which the
interpreter's hash seed decides anew in every process (aws/aws-sam-cli issue 9165). Every
protected path of this API also has an unauthenticated OPTIONS preflight on the same function,
so start-api skipped the TOKEN authorizer on a path in about half of its runs (the function then
refuses the request: 401). Here routes are merged only when their authorizers agree, as the fix
proposed upstream does; Flask and SAM's route table already serve several routes on one path.
"""

import sys
from typing import Any

from samcli.cli.main import cli
from samcli.lib.providers.api_collector import ApiCollector

merge_routes = ApiCollector.dedupe_function_routes


def merge_routes_per_authorizer(routes: list[Any]) -> list[Any]:
    """Called once the routes are linked to their authorizers (ApiCollector.get_api)."""
    groups: dict[str | None, list[Any]] = {}
    for route in routes:
        groups.setdefault(route.authorizer_name, []).append(route)
    return [merged for group in groups.values() for merged in merge_routes(group)]


if __name__ == "__main__":
    ApiCollector.dedupe_function_routes = staticmethod(merge_routes_per_authorizer)
    sys.argv[0] = "sam"
    sys.exit(cli())
