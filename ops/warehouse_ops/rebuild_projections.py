"""Recompute the report projections from the stock records (recovery after a bug).

    python -m warehouse_ops.rebuild_projections                      # the local stack
    python -m warehouse_ops.rebuild_projections --stack-name warehouse-api   # deployed

The local stack is the running one (its endpoints file), else the default port. Prints what it
changed, and where; on correct data it changes nothing. Exits 2, in one line saying where it
looked, when DynamoDB cannot be reached.
"""

import argparse
import sys
from collections.abc import Sequence

from warehouse_inventory.dal.projection_rebuild import rebuild
from warehouse_ops.stacks import (
    LOCAL_DYNAMODB,
    aws_endpoint,
    client_for,
    local_endpoint,
    physical_resource_id,
    reporting_failures,
    session_for,
)

COMMAND = "rebuild_projections"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse_ops.rebuild_projections",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack-name", help="deployed stack whose InventoryTable to rebuild")
    where.add_argument("--table-name", help="the inventory table's physical name")
    parser.add_argument("--region", help="AWS region (default: the SDK's configuration)")
    parser.add_argument(
        "--endpoint-url",
        help="DynamoDB endpoint; default without stack or table: the running local stack's, "
        f"else {LOCAL_DYNAMODB}",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    local = not (args.stack_name or args.table_name)
    session = session_for(local, args.region)
    endpoint = (
        local_endpoint("dynamodb", args.endpoint_url)
        if local
        else aws_endpoint("dynamodb", args.endpoint_url, args.region)
    )

    def run() -> int:
        client = client_for(session, endpoint, local)
        if args.stack_name:
            table = physical_resource_id(
                session.client("cloudformation"), args.stack_name, "InventoryTable"
            )
        else:
            table = args.table_name or "InventoryTable"
        report = rebuild(client, table)
        sys.stdout.write(
            f"{table}: {report.markers_written} markers, {report.totals_written} item totals, "
            f"{report.summaries_written} location summaries rewritten "
            f"({endpoint.describe()})\n"
        )
        return 0

    return reporting_failures(COMMAND, endpoint, run)


if __name__ == "__main__":
    sys.exit(main())
