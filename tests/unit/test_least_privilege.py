"""Each function of template.yaml may do exactly what its job needs and no more.

EXPECTED is the reviewed table: a new function, or a new action of an existing one, fails here
until it is added, so every grant is looked at once. Resources are logical ids (see
tests/support/iam_policies.py): `InventoryTable`, `TokensTable/index/active`, ...
"""

import pytest

from tests.support.iam_policies import Grant, UnsupportedPolicy, function_grants, template_grants
from warehouse_devstack.template import Template, load_template

INVENTORY, TOKENS, IDEMPOTENCY = "InventoryTable", "TokensTable", "IdempotencyTable"
AUDIT = "AuditTable"
KMS_KEY = "KmsKeyArn"  # only with a customer-managed key (the grants sit under !If HasKmsKey)
IDEMPOTENT_WRITES = {
    (f"dynamodb:{action}", IDEMPOTENCY)
    for action in ["GetItem", "PutItem", "UpdateItem", "DeleteItem"]
}

EXPECTED: dict[str, set[Grant]] = {
    "AuthorizerFunction": {("dynamodb:GetItem", TOKENS)},
    "HealthFunction": set(),
    "MeFunction": set(),  # answers from the authorizer's context
    "DocsFunction": set(),
    "RestockFunction": {("dynamodb:UpdateItem", INVENTORY)} | IDEMPOTENT_WRITES,
    # Query: the SKU's partition, read only to name a 404 (unknown SKU or no record there)
    "PickFunction": {("dynamodb:UpdateItem", INVENTORY), ("dynamodb:Query", INVENTORY)}
    | IDEMPOTENT_WRITES,
    # Query: the levels read back after the transaction (and a 404's SKU, as for a pick)
    "TransferFunction": {("dynamodb:UpdateItem", INVENTORY), ("dynamodb:Query", INVENTORY)}
    | IDEMPOTENT_WRITES,
    "AdjustFunction": {("dynamodb:UpdateItem", INVENTORY)} | IDEMPOTENT_WRITES,
    "BatchMovementsFunction": {("dynamodb:UpdateItem", INVENTORY), ("dynamodb:Query", INVENTORY)}
    | IDEMPOTENT_WRITES,
    "GetInventoryFunction": {("dynamodb:Query", INVENTORY)},
    "ListInventoryFunction": {
        ("dynamodb:Query", f"{INVENTORY}/index/by_type"),
        ("dynamodb:Query", f"{INVENTORY}/index/by_location"),
    },
    "PutItemFunction": {("dynamodb:UpdateItem", INVENTORY), ("dynamodb:Query", INVENTORY)},
    "ProjectorFunction": {
        ("dynamodb:Query", INVENTORY),  # an item's markers, for its total
        ("dynamodb:UpdateItem", INVENTORY),
        ("dynamodb:ConditionCheckItem", INVENTORY),  # an absent item is still absent
        ("sqs:SendMessage", "RelayFailureQueue"),
        ("kms:Decrypt", KMS_KEY),  # the table's stream
        ("kms:GenerateDataKey", KMS_KEY),  # sending to the failure queue
    },
    "LowStockReportFunction": {("dynamodb:Query", f"{INVENTORY}/index/low_stock")},
    "LocationsReportFunction": {("dynamodb:Query", f"{INVENTORY}/index/by_type")},
    "GetItemFunction": {("dynamodb:GetItem", INVENTORY)},
    "ListItemsFunction": {("dynamodb:Query", f"{INVENTORY}/index/by_type")},
    "DeleteItemFunction": {
        ("dynamodb:Query", INVENTORY),
        ("dynamodb:DeleteItem", INVENTORY),
    },
    "CreateTokenFunction": {("dynamodb:PutItem", TOKENS)},
    "ListTokensFunction": {("dynamodb:Query", f"{TOKENS}/index/active")},
    "StreamRelayFunction": {
        ("sqs:SendMessage", "AuditQueue"),
        ("sqs:SendMessage", "RelayDeadLetterQueue"),  # records it cannot send
        ("sqs:SendMessage", "RelayFailureQueue"),
        ("kms:Decrypt", KMS_KEY),  # the table's stream
        ("kms:GenerateDataKey", KMS_KEY),  # sending to the queues
    },
    "AuditConsumerFunction": {
        ("dynamodb:PutItem", AUDIT),
        ("dynamodb:GetItem", AUDIT),
        ("kms:Decrypt", KMS_KEY),  # receiving from the audit queue
    },
    "ListMovementsFunction": {("dynamodb:Query", f"{AUDIT}/index/*")},
    "RevokeTokenFunction": {
        ("dynamodb:Query", f"{TOKENS}/index/active"),
        ("dynamodb:UpdateItem", TOKENS),
    },
}
READ_ACTIONS = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"}
FUNCTIONS = sorted(load_template().resources_of_type("AWS::Serverless::Function"))


def table_of(resource: str) -> str:
    return resource.split("/", 1)[0]


@pytest.fixture(scope="module")
def grants(template: Template) -> dict[str, set[Grant]]:
    return template_grants(template)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_has_exactly_its_reviewed_grants(
    grants: dict[str, set[Grant]], function: str
) -> None:
    assert function in EXPECTED, (
        f"{function} is new: review its Policies and add them to EXPECTED in {__name__}"
    )
    assert grants[function] == EXPECTED[function]


def test_the_table_names_no_function_that_is_gone() -> None:
    assert sorted(set(EXPECTED) - set(FUNCTIONS)) == []


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_wildcard_action_or_resource(grants: dict[str, set[Grant]], function: str) -> None:
    for action, resource in grants[function]:
        assert "*" not in action, f"{function}: {action}"
        assert "*" not in table_of(resource), f"{function}: {resource}"
        assert resource.count("*") == 0 or resource.endswith("/index/*"), f"{function}: {resource}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_read_routes_cannot_write(
    template: Template, grants: dict[str, set[Grant]], function: str
) -> None:
    routes = [route for route in template.function(function).routes if route.method != "OPTIONS"]
    if routes and all(route.method == "GET" for route in routes):
        assert {action for action, _ in grants[function]} <= READ_ACTIONS


@pytest.mark.parametrize("function", FUNCTIONS)
def test_functions_touch_only_the_tables_of_their_routes(
    template: Template, grants: dict[str, set[Grant]], function: str
) -> None:
    tables = {table_of(resource) for _, resource in grants[function]}
    paths = {route.path for route in template.function(function).routes}
    if function == "AuthorizerFunction" or (paths and all(p.startswith("/tokens") for p in paths)):
        assert tables <= {TOKENS}
    else:
        assert TOKENS not in tables, "only the authorizer and the token routes see tokens"


def test_authorizer_only_looks_tokens_up(grants: dict[str, set[Grant]]) -> None:
    assert grants["AuthorizerFunction"] == {("dynamodb:GetItem", TOKENS)}


def test_no_permissions_are_granted_globally(template: Template) -> None:
    globals_ = template.document.get("Globals", {}).get("Function", {})
    assert "Policies" not in globals_
    assert "Role" not in globals_


@pytest.mark.parametrize(
    "properties",
    [
        {"Policies": ["AmazonDynamoDBFullAccess"]},
        {"Policies": [{"DynamoDBCrudPolicy": {"TableName": {"Ref": "InventoryTable"}}}]},
        {"Role": {"Fn::GetAtt": ["SomeRole", "Arn"]}},
        {"Policies": [{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "x"}]}]},
    ],
)
def test_unreviewable_policy_forms_are_refused(properties: dict[str, object]) -> None:
    """Managed policies, SAM policy templates and custom roles cannot be checked: refused."""
    with pytest.raises(UnsupportedPolicy):
        function_grants(properties)


def test_policy_statements_are_read_as_written() -> None:
    properties = {
        "Policies": [
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:Query", "dynamodb:GetItem"],
                        "Resource": [
                            {"Fn::GetAtt": ["InventoryTable", "Arn"]},
                            {"Fn::Sub": "${TokensTable.Arn}/index/active"},
                        ],
                    }
                ]
            }
        ]
    }
    assert function_grants(properties) == {
        ("dynamodb:Query", INVENTORY),
        ("dynamodb:GetItem", INVENTORY),
        ("dynamodb:Query", f"{TOKENS}/index/active"),
        ("dynamodb:GetItem", f"{TOKENS}/index/active"),
    }
