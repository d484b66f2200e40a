"""`sam local invoke --env-vars devstack/sam-local-env.json` only overrides variables the template
declares: every one it sets must exist in the functions' environment."""

import json

from warehouse_devstack.template import LOCAL_SECRET, REPO_ROOT, Template


def test_env_file_overrides_only_declared_variables(template: Template) -> None:
    overrides = json.loads((REPO_ROOT / "devstack/sam-local-env.json").read_text())["Parameters"]
    declared = {name for spec in template.functions() for name in spec.environment}
    assert set(overrides) <= declared
    assert overrides["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:8000"
    assert overrides["CURSOR_SECRET"] == LOCAL_SECRET  # cursors work across both ways of running
