"""Replay the stream records the relay dead-lettered: their movements go to the audit queue.

    python -m warehouse_ops.redrive_audit                            # the local stack
    python -m warehouse_ops.redrive_audit --stack-name warehouse-api  # deployed

Run it once the cause is fixed (a deploy, or the data corrected). Each record's movement is
rebuilt with the current code and sent; its dead letter is deleted only once sent. The local
stack is the running one (its endpoints file), else the default port. Prints what it did, where,
and why anything was kept; exits 1 when something was kept, 2 (in one line saying where it
looked) when SQS could not be reached.
"""

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

import boto3

from warehouse_devstack.template import load_template
from warehouse_inventory.dal.audit_redrive import redrive
from warehouse_ops.stacks import (
    LOCAL_SQS,
    aws_endpoint,
    client_for,
    local_endpoint,
    physical_resource_id,
    reporting_failures,
    session_for,
)

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

DEAD_LETTERS, AUDIT_QUEUE = "RelayDeadLetterQueue", "AuditQueue"
COMMAND = "redrive_audit"


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
        help="SQS endpoint; default without --stack-name: the running local stack's, "
        f"else {LOCAL_SQS}",
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


def run(
    client: "SQSClient", dead_letter_url: str, audit_queue_url: str, out: TextIO, where: str = ""
) -> int:
    report = redrive(client, dead_letter_url, audit_queue_url)
    place = f" ({where})" if where else ""
    out.write(f"{report.redriven} redriven to the audit queue, {len(report.kept)} kept{place}\n")
    for line in report.kept:
        out.write(f"  kept {line}\n")
    return 1 if report.kept else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    local = not args.stack_name
    session = session_for(local, args.region)
    endpoint = (
        local_endpoint("sqs", args.endpoint_url)
        if local
        else aws_endpoint("sqs", args.endpoint_url, args.region)
    )
    client = client_for(session, endpoint, local)
    return reporting_failures(
        COMMAND,
        endpoint,
        lambda: run(client, *queue_urls(args, session), sys.stdout, endpoint.describe()),
    )


if __name__ == "__main__":
    sys.exit(main())
