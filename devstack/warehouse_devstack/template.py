"""Reads template.yaml, the single source of truth: routes, functions, tables, env.

Intrinsic functions are resolved for local use: `Ref` of a resource is its logical id (the local
table name), `Ref` of a parameter its default, `Fn::Sub` is substituted, `Fn::If` follows the
template's Conditions (on the parameters' defaults), `Ref: AWS::NoValue` drops the value, and a
Secrets Manager dynamic reference becomes LOCAL_SECRET (fixed, so cursors survive a restart of the
local stack and match what `sam local invoke` gets from devstack/sam-local-env.json).
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cfn_tools import load_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
PSEUDO_PARAMETERS = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "warehouse-local",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
LOCAL_SECRET = "DEV-ONLY-local-cursor-secret-not-for-any-deployed-stage"  # noqa: S105
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")
_SECRET_REFERENCE = re.compile(r"\{\{resolve:secretsmanager:[^}]*\}\}")


class _NoValue:
    """`Ref: AWS::NoValue`: the property or list item it stands for is left out."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    public: bool = False  # `Auth: {Authorizer: NONE}`: the default authorizer does not run


API_GATEWAY_AUTHORIZER_TTL = 300
"""API Gateway's authorizer cache TTL when the template sets no ReauthorizeEvery."""


@dataclass(frozen=True)
class Authorizer:
    """The REST API's default Lambda authorizer (TOKEN type), the header it reads and how long
    API Gateway caches the policy it returns per token (ReauthorizeEvery; 0: not cached)."""

    function_id: str
    identity_header: str
    cache_seconds: int = API_GATEWAY_AUTHORIZER_TTL


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    body_template: str
    headers: dict[str, str]


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    routes: list[ApiRoute] = field(default_factory=list)

    @property
    def module_file(self) -> Path:
        return self.code_dir / f"{self.handler.rsplit('.', 1)[0].replace('.', '/')}.py"

    @property
    def handler_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


class Template:
    def __init__(
        self, path: Path = TEMPLATE_PATH, parameter_overrides: dict[str, str] | None = None
    ) -> None:
        self.path = path
        self.parameter_overrides = parameter_overrides or {}
        # cfn-flip understands the short intrinsic tags (!Ref, !Sub, ...); plain dicts from here on.
        self.document: dict[str, Any] = json.loads(json.dumps(load_yaml(path.read_text())))

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.document["Resources"]
        return resources

    def resources_of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            name: resource
            for name, resource in self.resources.items()
            if resource["Type"] == resource_type
        }

    def resolve(self, value: Any) -> Any:
        """Resolve intrinsic functions to their local values (NO_VALUE where one is left out)."""
        if isinstance(value, str):
            return _SECRET_REFERENCE.sub(LOCAL_SECRET, value)
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if value.get("Ref") == "AWS::NoValue":
            return NO_VALUE
        if "Ref" in value:
            return self._ref(value["Ref"])
        if "Fn::If" in value:
            condition, when_true, when_false = value["Fn::If"]
            return self.resolve(when_true if self.condition(condition) else when_false)
        if "Fn::FindInMap" in value:
            name, key, attribute = (str(self.resolve(part)) for part in value["Fn::FindInMap"])
            return self.resolve(self.document["Mappings"][name][key][attribute])
        if "Fn::Sub" in value:
            return self._sub(value["Fn::Sub"])
        if "Fn::Select" in value:
            index, items = value["Fn::Select"]
            return self.resolve(items)[int(index)]
        if "Fn::Split" in value:
            separator, text = value["Fn::Split"]
            return str(self.resolve(text)).split(separator)
        if "Fn::GetAtt" in value:
            return self._get_att(*value["Fn::GetAtt"])
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def condition(self, name: str) -> bool:
        """A condition of the template's Conditions, on the parameters' local values."""
        return self._evaluate(self.document.get("Conditions", {})[name])

    def _evaluate(self, expression: Any) -> bool:
        if isinstance(expression, dict) and len(expression) == 1:
            ((function, argument),) = expression.items()
            if function == "Condition":
                return self.condition(argument)
            if function == "Fn::Equals":
                left, right = argument
                return str(self.resolve(left)) == str(self.resolve(right))
            if function == "Fn::Not":
                return not self._evaluate(argument[0])
            if function == "Fn::And":
                return all(self._evaluate(item) for item in argument)
            if function == "Fn::Or":
                return any(self._evaluate(item) for item in argument)
        raise ValueError(f"unsupported condition {expression!r}")

    def _sub(self, argument: str | list[Any]) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        local = {name: str(self.resolve(item)) for name, item in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match[1]
            return local[name] if name in local else self._sub_variable(name)

        return str(self.resolve(_SUB_VARIABLE.sub(substitute, text)))

    def _ref(self, name: str) -> str:
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        parameters = self.document.get("Parameters", {})
        if name in self.parameter_overrides:
            return self.parameter_overrides[name]
        if name in parameters:
            return str(parameters[name].get("Default", ""))
        if name in self.resources:
            if self.resources[name]["Type"] == "AWS::SQS::Queue":
                return queue_url(self.queue_name(name))
            return name
        raise KeyError(f"template.yaml has no parameter or resource {name}")

    def queue_name(self, logical_id: str) -> str:
        return str(self.resources[logical_id].get("Properties", {}).get("QueueName", logical_id))

    def _get_att(self, resource: str, attribute: str) -> str:
        """Local stand-ins; SQS queues get real-shaped ARNs, which moto understands."""
        kind = self.resources[resource]["Type"]
        if kind == "AWS::SQS::Queue" and attribute == "Arn":
            return queue_arn(self.queue_name(resource))
        if kind == "AWS::SQS::Queue" and attribute == "QueueName":
            return self.queue_name(resource)
        return f"arn:aws:local:::{resource}/{attribute}"

    def _sub_variable(self, name: str) -> str:
        if "." in name:
            return str(self.resolve({"Fn::GetAtt": name.split(".", 1)}))
        return self._ref(name)

    def _global_function_properties(self) -> dict[str, Any]:
        properties: dict[str, Any] = self.document.get("Globals", {}).get("Function", {})
        return properties

    def functions(self) -> list[FunctionSpec]:
        global_env = self._global_function_properties().get("Environment", {}).get("Variables", {})
        specs = []
        for name, resource in self.resources_of_type("AWS::Serverless::Function").items():
            properties = resource["Properties"]
            env = global_env | properties.get("Environment", {}).get("Variables", {})
            specs.append(
                FunctionSpec(
                    logical_id=name,
                    code_dir=self.path.parent / properties["CodeUri"],
                    handler=properties["Handler"],
                    environment={
                        key: str(resolved)
                        for key, val in env.items()
                        if (resolved := self.resolve(val)) is not NO_VALUE
                    },
                    routes=[
                        api_route(event["Properties"])
                        for event in properties.get("Events", {}).values()
                        if event["Type"] == "Api"
                    ],
                )
            )
        return specs

    def function(self, logical_id: str) -> FunctionSpec:
        return next(spec for spec in self.functions() if spec.logical_id == logical_id)

    def _api_properties(self) -> dict[str, Any]:
        (api,) = self.resources_of_type("AWS::Serverless::Api").values()
        properties: dict[str, Any] = api["Properties"]
        return properties

    def authorizer(self) -> Authorizer | None:
        auth = self._api_properties().get("Auth", {})
        name = auth.get("DefaultAuthorizer")
        if name is None:
            return None
        config = auth["Authorizers"][name]
        function_id = config["FunctionArn"]["Fn::GetAtt"][0]
        identity = config.get("Identity", {})
        ttl = self.resolve(identity.get("ReauthorizeEvery", API_GATEWAY_AUTHORIZER_TTL))
        return Authorizer(function_id, identity.get("Header", "Authorization"), int(ttl))

    def gateway_responses(self) -> dict[str, GatewayResponse]:
        """API Gateway's own answers (401, 403, 429, ...), with header values unquoted."""
        responses = {}
        for kind, config in self._api_properties().get("GatewayResponses", {}).items():
            headers = self.resolve(config.get("ResponseParameters", {}).get("Headers", {}))
            responses[kind] = GatewayResponse(
                status=int(config.get("StatusCode", 500)),
                body_template=config["ResponseTemplates"]["application/json"],
                headers={name: str(value).strip("'") for name, value in headers.items()},
            )
        return responses

    def queue_definitions(self) -> list[dict[str, Any]]:
        """CreateQueue arguments for every queue, dead-letter queues first."""
        queues = self.resources_of_type("AWS::SQS::Queue")
        definitions = []
        for name, resource in sorted(
            queues.items(), key=lambda item: "RedrivePolicy" in item[1].get("Properties", {})
        ):
            properties = self.resolve(resource.get("Properties", {}))
            attributes = {
                key: json.dumps(value) if isinstance(value, dict) else str(value)
                for key, value in properties.items()
                if key in {"VisibilityTimeout", "MessageRetentionPeriod", "RedrivePolicy"}
            }
            definitions.append({"QueueName": self.queue_name(name), "Attributes": attributes})
        return definitions

    def table_definitions(self) -> list[dict[str, Any]]:
        """CreateTable arguments for every table, from the template's own properties."""
        definitions = []
        for name, resource in self.resources_of_type("AWS::DynamoDB::Table").items():
            properties = resource["Properties"]
            definition: dict[str, Any] = {
                "TableName": name,
                "AttributeDefinitions": properties["AttributeDefinitions"],
                "KeySchema": properties["KeySchema"],
                "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
            }
            if "GlobalSecondaryIndexes" in properties:
                definition["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
            stream = properties.get("StreamSpecification")
            if stream:
                definition["StreamSpecification"] = {
                    "StreamEnabled": True,
                    "StreamViewType": stream["StreamViewType"],
                }
            definitions.append(definition)
        return definitions


def queue_url(name: str) -> str:
    region, account = PSEUDO_PARAMETERS["AWS::Region"], PSEUDO_PARAMETERS["AWS::AccountId"]
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def queue_arn(name: str) -> str:
    region, account = PSEUDO_PARAMETERS["AWS::Region"], PSEUDO_PARAMETERS["AWS::AccountId"]
    return f"arn:aws:sqs:{region}:{account}:{name}"


def api_route(properties: dict[str, Any]) -> ApiRoute:
    authorizer = properties.get("Auth", {}).get("Authorizer")
    return ApiRoute(properties["Method"].upper(), properties["Path"], public=authorizer == "NONE")


@cache
def load_template() -> Template:
    return Template()
