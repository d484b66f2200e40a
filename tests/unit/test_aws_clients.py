"""The layer's clients take their endpoints from AWS_ENDPOINT_URL_<SERVICE>: empty in AWS (the
template's value: the regional endpoint), the local stack's under `sam local`."""

from collections.abc import Iterator

import pytest

from warehouse_inventory.dal.clients import dynamodb_client, sqs_client
from warehouse_inventory.wiring import forget_services

CLIENTS = {"AWS_ENDPOINT_URL_DYNAMODB": dynamodb_client, "AWS_ENDPOINT_URL_SQS": sqs_client}
REGIONAL = {
    "AWS_ENDPOINT_URL_DYNAMODB": "https://dynamodb.us-east-1.amazonaws.com",
    "AWS_ENDPOINT_URL_SQS": "https://sqs.us-east-1.amazonaws.com",
}


@pytest.fixture(autouse=True)
def fresh_clients() -> Iterator[None]:
    forget_services()
    yield
    forget_services()


@pytest.mark.parametrize("variable", sorted(CLIENTS))
def test_the_endpoint_variable_points_the_client_elsewhere(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "http://host.docker.internal:4566")
    assert CLIENTS[variable]().meta.endpoint_url == "http://host.docker.internal:4566"


@pytest.mark.parametrize("variable", sorted(CLIENTS))
def test_empty_as_in_aws_means_the_regional_endpoint(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert CLIENTS[variable]().meta.endpoint_url == REGIONAL[variable]
