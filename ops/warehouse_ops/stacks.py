"""What the operations commands (admin_token, rebuild_projections, redrive_audit) share: reaching
the local stack or a deployed one, saying which, finding a deployed stack's resources, and
failing in one line when the endpoint cannot be reached."""

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from warehouse_devstack.endpoints_file import running_stack, state_file
from warehouse_inventory.domain.errors import WarehouseError

LOCAL_DYNAMODB = "http://127.0.0.1:8000"
LOCAL_SQS = "http://127.0.0.1:9324"
"""Where `make run` serves DynamoDB Local and SQS by default (the local stack's default ports)."""
LOCAL_DEFAULTS = {"dynamodb": LOCAL_DYNAMODB, "sqs": LOCAL_SQS}
LOCAL_CONFIG = Config(connect_timeout=2, retries={"mode": "standard", "total_max_attempts": 2})
"""A local endpoint answers at once or not at all: no long wait before saying so."""
NAMES = {"dynamodb": "DynamoDB", "sqs": "SQS"}

Service = Literal["dynamodb", "sqs"]


@dataclass(frozen=True)
class Endpoint:
    service: Service
    url: str | None  # None: the region's own AWS endpoint
    source: str

    def describe(self) -> str:
        return f"{NAMES[self.service]} at {self.url or 'AWS'} ({self.source})"


def local_endpoint(service: Service, explicit: str | None) -> Endpoint:
    """--endpoint-url when given, else the running local stack's (endpoints_file), else the
    local stack's default port."""
    if explicit:
        return Endpoint(service, explicit, "--endpoint-url")
    running = running_stack()
    if running is not None:
        url = running.dynamodb_url if service == "dynamodb" else running.sqs_url
        return Endpoint(service, url, f"the running local stack, from {state_file()}")
    return Endpoint(
        service, LOCAL_DEFAULTS[service], f"the default port: no running stack in {state_file()}"
    )


def aws_endpoint(service: Service, explicit: str | None, region: str | None) -> Endpoint:
    return Endpoint(service, explicit, f"region {region or 'of the SDK configuration'}")


def session_for(local: bool, region: str | None) -> boto3.session.Session:
    """The local stack takes any credentials (placeholders when none are set) in us-east-1; a
    deployed stack gets the SDK's own configuration."""
    if local:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    return boto3.session.Session(region_name=region or ("us-east-1" if local else None))


def client_for(session: boto3.session.Session, endpoint: Endpoint, local: bool) -> Any:
    """A client of `endpoint` (`local`: with short timeouts and few retries)."""
    config = LOCAL_CONFIG if local else None
    return session.client(endpoint.service, endpoint_url=endpoint.url, config=config)


def reporting_failures(command: str, endpoint: Endpoint, work: Callable[[], int]) -> int:
    """`work()`'s exit code; an AWS failure instead is one line on stderr and exit code 2
    (no traceback): unreachable endpoints say where they were looked for."""
    try:
        return work()
    except (ClientError, BotoCoreError, WarehouseError) as exc:
        if isinstance(exc, BotoCoreError) or isinstance(exc.__cause__, BotoCoreError):
            where = endpoint.describe()
            sys.stderr.write(f"{command}: error: cannot reach {where}: {exc.__cause__ or exc}\n")
        else:
            sys.stderr.write(f"{command}: error: {exc}\n")
        return 2


def physical_resource_id(cloudformation: Any, stack_name: str, logical_id: str) -> str:
    """A stack resource's physical id: a table's name, a queue's URL (`cloudformation`: a boto3
    client)."""
    response = cloudformation.describe_stack_resource(
        StackName=stack_name, LogicalResourceId=logical_id
    )
    return str(response["StackResourceDetail"]["PhysicalResourceId"])
