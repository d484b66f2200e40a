"""API Gateway (REST, proxy integration) emulation without HTTP: route matching from template.yaml,
proxy events shaped like the real ones, and the function's response turned back into HTTP parts.

The HTTP server of the local stack and the handler tests both go through `ApiGateway.dispatch`.
"""

import base64
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from warehouse_devstack.gateway.token_authorizer import GrantCache, TokenAuthorizer, method_arn
from warehouse_devstack.lambda_runtime import invoke
from warehouse_devstack.template import FunctionSpec, Template

_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)(\+?)\}")


@dataclass(frozen=True)
class Route:
    method: str
    resource: str
    function: FunctionSpec
    pattern: re.Pattern[str]
    static_segments: int
    public: bool


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    function: str | None = None


def compile_resource(resource: str) -> re.Pattern[str]:
    def parameter(match: re.Match[str]) -> str:
        name, greedy = match[1], match[2]
        return f"(?P<{name}>.+)" if greedy else f"(?P<{name}>[^/]+)"

    regex, index = "", 0
    for piece in _PARAMETER.finditer(resource):
        regex += re.escape(resource[index : piece.start()]) + parameter(piece)
        index = piece.end()
    return re.compile(f"^{regex}{re.escape(resource[index:])}$")


def build_event(
    route: Route,
    path: str,
    path_parameters: dict[str, str],
    query: list[tuple[str, str]],
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str = "127.0.0.1",
    stage: str = "v1",
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A REST API proxy event as API Gateway sends it (`sam local generate-event` shape)."""
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in query:
        multi_query.setdefault(name, []).append(value)
    text_body, is_base64 = _body_field(body)
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "local",
        "resourceId": "local",
        "resourcePath": route.resource,
        "httpMethod": route.method,
        "path": f"/{stage}{path}",
        "stage": stage,
        "requestId": str(uuid.uuid4()),
        "requestTimeEpoch": int(time.time() * 1000),
        "protocol": "HTTP/1.1",
        "identity": {"sourceIp": source_ip, "userAgent": _header(headers, "user-agent")},
    }
    if authorizer is not None:
        request_context["authorizer"] = authorizer
    return {
        "resource": route.resource,
        "path": path,
        "httpMethod": route.method,
        "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in reversed(headers) if key.lower() == name), "")


def _body_field(body: bytes) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), True


def response_from_lambda(result: dict[str, Any], function: str) -> HttpResponse:
    multi = result.get("multiValueHeaders") or {}
    single = result.get("headers") or {}
    # API Gateway merges the two maps; a name in multiValueHeaders wins over the same in headers
    headers = [(name, str(value)) for name, value in single.items() if name not in multi]
    for name, values in multi.items():
        headers += [(name, str(value)) for value in values]
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    return HttpResponse(int(result.get("statusCode", 200)), headers, body, function)


class ApiGateway:
    def __init__(
        self,
        template: Template,
        stage: str = "v1",
        authorizer_cache_seconds: float | None = None,
    ) -> None:
        """`authorizer_cache_seconds` None: the template's ReauthorizeEvery, as deployed; 0
        calls the authorizer on every request (a revoked token is refused at once)."""
        self.stage = stage
        authorizer = template.authorizer()
        self.authorizer: TokenAuthorizer | None = None
        if authorizer is not None:
            seconds = authorizer_cache_seconds
            cache = GrantCache(authorizer.cache_seconds if seconds is None else seconds)
            self.authorizer = TokenAuthorizer(template.function(authorizer.function_id), cache)
        self.identity_header = authorizer.identity_header.lower() if authorizer else ""
        self.gateway_responses = template.gateway_responses()
        self.routes = sorted(
            (
                Route(
                    method=route.method,
                    resource=route.path,
                    function=spec,
                    pattern=compile_resource(route.path),
                    static_segments=route.path.count("/") - route.path.count("{"),
                    public=route.public or authorizer is None,
                )
                for spec in template.functions()
                for route in spec.routes
            ),
            key=lambda route: -route.static_segments,  # /inventory/restock before /inventory/{sku}
        )

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method in (method, "ANY"):
                return route, found.groupdict()
        return None

    def dispatch(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: list[tuple[str, str]],
        body: bytes,
        source_ip: str = "127.0.0.1",
    ) -> HttpResponse:
        path = unquote(raw_path)
        matched = self.match(method, path)
        if matched is None:
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN")
        route, path_parameters = matched
        context = None
        if not route.public and self.authorizer is not None:
            arn = method_arn(self.stage, method, path)
            decision = self.authorizer.authorize(_header(headers, self.identity_header), arn)
            if decision.gateway_response:
                return self.gateway_response(decision.gateway_response, self.authorizer.function)
            context = decision.context
        query = parse_qsl(query_string, keep_blank_values=True)
        event = build_event(
            route, path, path_parameters, query, headers, body, source_ip, self.stage, context
        )
        result = invoke(route.function, event)
        return response_from_lambda(result, route.function.logical_id)

    def gateway_response(self, kind: str, function: FunctionSpec | None = None) -> HttpResponse:
        """API Gateway's own answer, rendered from the template's GatewayResponses."""
        response = self.gateway_responses[kind]
        request_id = str(uuid.uuid4())
        body = response.body_template.replace("$context.requestId", request_id)
        # AWS sends the id as x-amzn-RequestId only (no context variables in gateway response
        # headers); the local stack adds x-request-id too, as every function response has it.
        headers = [("content-type", "application/json"), ("x-amzn-RequestId", request_id)]
        headers.append(("x-request-id", request_id))
        headers += [(name, value) for name, value in response.headers.items() if value]
        name = function.logical_id if function else None
        return HttpResponse(response.status, headers, body.encode(), name)
