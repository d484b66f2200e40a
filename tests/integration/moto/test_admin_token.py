"""`python -m warehouse_ops.admin_token`: the first admin token of a deployed stack, on moto.

The secret is the only stdout, is stored as its hash only and works with the API's TokenService.
"""

import hashlib
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from warehouse_devstack.template import Template
from warehouse_inventory.dal.token_repository import DynamoDBTokenRepository
from warehouse_inventory.domain.access import Role
from warehouse_inventory.services.tokens import TokenService
from warehouse_ops.admin_token import main

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REGION = "eu-west-1"
STACK = "warehouse-api"
PHYSICAL_NAME = "warehouse-api-TokensTable-1A2B3C"


def tokens_table_properties(template: Template) -> dict[str, Any]:
    """What CreateTable needs of the template's TokensTable."""
    properties = template.resources["TokensTable"]["Properties"]
    keep = ["AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode"]
    return {key: properties[key] for key in keep}


@pytest.fixture
def aws(template: Template) -> Iterator["DynamoDBClient"]:
    """A region with the tokens table created directly (no stack) under PHYSICAL_NAME."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(TableName=PHYSICAL_NAME, **tokens_table_properties(template))
        yield client


@pytest.fixture
def stack_table(template: Template) -> Iterator[tuple["DynamoDBClient", str]]:
    """A CloudFormation stack holding only the template's TokensTable; its physical name."""
    body = {
        "Resources": {
            "TokensTable": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": tokens_table_properties(template),
            }
        }
    }
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(body))
        detail = cloudformation.describe_stack_resource(
            StackName=STACK, LogicalResourceId="TokensTable"
        )["StackResourceDetail"]
        yield boto3.client("dynamodb", region_name=REGION), detail["PhysicalResourceId"]


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> tuple[int, str, str]:
    caplog.set_level(logging.DEBUG)
    status = main(["--region", REGION, *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err + caplog.text


def token_of(client: "DynamoDBClient", table: str, secret: str) -> Any:
    return TokenService(DynamoDBTokenRepository(client, table)).authenticate(f"Bearer {secret}")


def test_table_name_path_prints_only_a_working_secret(
    aws: "DynamoDBClient", capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    status, out, logs = run(
        ["--table-name", PHYSICAL_NAME, "--name", "first-admin"], capsys, caplog
    )

    assert status == 0
    secret = out.removesuffix("\n")
    assert out == secret + "\n" and "\n" not in secret and secret.startswith("wh_")
    token = token_of(aws, PHYSICAL_NAME, secret)
    assert (token.name, token.role) == ("first-admin", Role.ADMIN)
    assert secret.removeprefix("wh_") not in logs
    (item,) = aws.scan(TableName=PHYSICAL_NAME)["Items"]
    assert item["token_hash"]["S"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.removeprefix("wh_") not in json.dumps(item)


def test_role_can_be_chosen(
    aws: "DynamoDBClient", capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    argv = ["--table-name", PHYSICAL_NAME, "--name", "dock", "--role", "operator"]
    status, out, _ = run(argv, capsys, caplog)

    assert status == 0
    assert token_of(aws, PHYSICAL_NAME, out.strip()).role == Role.OPERATOR


def test_stack_name_path_finds_the_tokens_table(
    stack_table: tuple["DynamoDBClient", str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, physical_name = stack_table
    assert physical_name != "TokensTable"  # a real lookup, not the logical id by luck

    status, out, logs = run(["--stack-name", STACK, "--name", "first-admin"], capsys, caplog)

    assert status == 0
    token = token_of(client, physical_name, out.strip())
    assert (token.name, token.role) == ("first-admin", Role.ADMIN)
    assert out.strip().removeprefix("wh_") not in logs


@pytest.mark.parametrize(
    "argv",
    [
        ["--stack-name", "no-such-stack", "--name", "x"],
        ["--table-name", "NoSuchTable", "--name", "x"],
    ],
)
def test_missing_stack_or_table_fails_with_nothing_on_stdout(
    aws: "DynamoDBClient",
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    argv: list[str],
) -> None:
    status, out, logs = run(argv, capsys, caplog)

    assert status == 1
    assert out == ""
    assert "error:" in logs
    assert aws.scan(TableName=PHYSICAL_NAME)["Count"] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["--name", "x"],
        ["--stack-name", STACK, "--table-name", PHYSICAL_NAME, "--name", "x"],
        ["--table-name", PHYSICAL_NAME],
        ["--table-name", PHYSICAL_NAME, "--name", "x", "--role", "root"],
    ],
)
def test_bad_arguments_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().out == ""


def test_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "warehouse_ops.admin_token", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "--stack-name" in result.stdout and "--table-name" in result.stdout
