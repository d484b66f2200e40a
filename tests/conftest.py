"""Session-wide set-up: the functions' environment from template.yaml, fake AWS credentials."""

import os

import pytest

from warehouse_devstack.lambda_runtime import apply_environment, forget_function_singletons
from warehouse_devstack.template import Template, load_template

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
)
os.environ.pop("AWS_PROFILE", None)
# The functions' environment before any test module imports the layer (Powertools reads it then).
FUNCTION_ENVIRONMENT = apply_environment(load_template())


@pytest.fixture(scope="session")
def template() -> Template:
    return load_template()


@pytest.fixture(scope="session", autouse=True)
def function_environment() -> dict[str, str]:
    forget_function_singletons()
    return FUNCTION_ENVIRONMENT
