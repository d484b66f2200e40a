"""Recompute the report projections from the stock records (recovery after a bug).

    python -m warehouse_ops.rebuild_projections                      # the local stack
    python -m warehouse_ops.rebuild_projections --stack-name warehouse-api   # deployed

Prints what it changed; on correct data it changes nothing.
"""

import argparse
import sys
from collections.abc import Sequence

from warehouse_inventory.dal.projection_rebuild import rebuild
from warehouse_ops.stacks import LOCAL_DYNAMODB, physical_resource_id, session_for


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse_ops.rebuild_projections", description=__doc__
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack-name", help="deployed stack whose InventoryTable to rebuild")
    where.add_argument("--table-name", help="the inventory table's physical name")
    parser.add_argument("--region", help="AWS region (default: the SDK's configuration)")
    parser.add_argument(
        "--endpoint-url",
        help=f"DynamoDB endpoint; default {LOCAL_DYNAMODB} when neither stack nor table is given",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    local = not (args.stack_name or args.table_name)
    session = session_for(local, args.region)
    endpoint = args.endpoint_url or (LOCAL_DYNAMODB if local else None)
    client = session.client("dynamodb", endpoint_url=endpoint)
    if args.stack_name:
        table = physical_resource_id(
            session.client("cloudformation"), args.stack_name, "InventoryTable"
        )
    else:
        table = args.table_name or "InventoryTable"
    report = rebuild(client, table)
    sys.stdout.write(
        f"{table}: {report.markers_written} markers, {report.totals_written} item totals, "
        f"{report.summaries_written} location summaries rewritten\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
