"""Replay the stream records the relay dead-lettered: their movements go to the audit queue.

    python -m warehouse_ops.redrive_audit                            # the local stack
    python -m warehouse_ops.redrive_audit --stack-name warehouse-api  # deployed

Run it once the cause is fixed (a deploy, or the data corrected). Each record's movement is
rebuilt with the current code and sent; its dead letter is deleted only once sent. Prints what it
did and why anything was kept; exits 1 when something was kept, 2 when AWS could not be reached.
"""

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from warehouse_devstack.template import load_template
from warehouse_inventory.dal.audit_redrive import redrive
from warehouse_ops.stacks import LOCAL_SQS, physical_resource_id, session_for

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

DEAD_LETTERS, AUDIT_QUEUE = "RelayDeadLetterQueue", "AuditQueue"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse_ops.redrive_audit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stack-name", help="deployed stack whose dead letters to redrive")
    parser.add_argument("--region", help="AWS region (default: the SDK's configuration)")
    parser.add_argument(
        "--endpoint-url",
        help=f"SQS endpoint; default {LOCAL_SQS} (the local stack's) without --stack-name",
    )
    return parser.parse_args(argv)


def queue_urls(args: argparse.Namespace, session: boto3.session.Session) -> tuple[str, str]:
    """(relay dead-letter queue, audit queue): the stack's, or as the local stack names them."""
    if args.stack_name:
        cloudformation = session.client("cloudformation")
        return (
            physical_resource_id(cloudformation, args.stack_name, DEAD_LETTERS),
            physical_resource_id(cloudformation, args.stack_name, AUDIT_QUEUE),
        )
    template = load_template()
    return (
        str(template.resolve({"Ref": DEAD_LETTERS})),
        str(template.resolve({"Ref": AUDIT_QUEUE})),
    )


def run(client: "SQSClient", dead_letter_url: str, audit_queue_url: str, out: TextIO) -> int:
    report = redrive(client, dead_letter_url, audit_queue_url)
    out.write(f"{report.redriven} redriven to the audit queue, {len(report.kept)} kept\n")
    for line in report.kept:
        out.write(f"  kept {line}\n")
    return 1 if report.kept else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    local = not args.stack_name
    session = session_for(local, args.region)
    client = session.client("sqs", endpoint_url=args.endpoint_url or (LOCAL_SQS if local else None))
    try:
        return run(client, *queue_urls(args, session), sys.stdout)
    except (ClientError, BotoCoreError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
