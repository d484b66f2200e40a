"""Issue an API token straight into a deployed stack's TokensTable: the first admin token.

    python -m warehouse_ops.admin_token --stack-name warehouse-api --name ops-admin
    python -m warehouse_ops.admin_token --table-name <physical table name> --role operator

The token goes through the API's own TokenService, so only its SHA-256 is stored. The secret is
the only thing written to stdout (`TOKEN=$(python -m ...)` captures it) and it is never logged;
anything else, errors included, goes to stderr.
"""

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from warehouse_inventory.dal.token_repository import DynamoDBTokenRepository
from warehouse_inventory.domain.access import Role
from warehouse_inventory.domain.errors import WarehouseError
from warehouse_inventory.services.tokens import TokenService
from warehouse_ops.stacks import physical_resource_id

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TOKENS_TABLE_LOGICAL_ID = "TokensTable"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse_ops.admin_token",
        description="Issue an API token in a deployed stack and print its secret, once.",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack-name", help="CloudFormation stack whose TokensTable to use")
    where.add_argument("--table-name", help="the tokens table's physical name")
    parser.add_argument("--region", help="AWS region (default: the SDK's configuration)")
    parser.add_argument("--name", required=True, help="who or what the token is for")
    parser.add_argument(
        "--role", type=Role, choices=list(Role), default=Role.ADMIN, help="default: admin"
    )
    return parser.parse_args(argv)


def tokens_table_name(cloudformation: Any, stack_name: str) -> str:
    return physical_resource_id(cloudformation, stack_name, TOKENS_TABLE_LOGICAL_ID)


def issue_token(client: "DynamoDBClient", table_name: str, name: str, role: Role) -> str:
    """A new token in `table_name`; returns its secret, which exists nowhere else."""
    service = TokenService(DynamoDBTokenRepository(client, table_name))
    return service.issue(name, role).secret


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    try:
        table_name: str = args.table_name or tokens_table_name(
            session.client("cloudformation"), args.stack_name
        )
        secret = issue_token(session.client("dynamodb"), table_name, args.name, args.role)
    except (ClientError, BotoCoreError, WarehouseError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(secret + "\n")
    sys.stderr.write(f"Issued a {args.role} token named {args.name!r} in {table_name}.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
