"""The API's Lambda authorizer (TOKEN type). Deliberately free of FastAPI: it runs before every
protected request, so its cold start is kept to Powertools and boto3."""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerResponse,
    APIGatewayAuthorizerTokenEvent,
)

from warehouse_inventory.domain.access import routes_for
from warehouse_inventory.observability import logger, traced
from warehouse_inventory.wiring import token_service

if TYPE_CHECKING:
    from warehouse_inventory.services.tokens import TokenService


class UnauthorizedError(Exception):
    """API Gateway answers 401 when a TOKEN authorizer fails with exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def authorize(event: dict[str, Any], service: "TokenService") -> dict[str, Any]:
    """Allow every route the token's role may call, so a cached policy is right for all of them."""
    request = APIGatewayAuthorizerTokenEvent(event)
    token = service.authenticate(request.authorization_token)
    if token is None:
        raise UnauthorizedError()
    response = APIGatewayAuthorizerResponse.from_route_arn(
        request.method_arn,
        principal_id=token.token_id,
        context={"token_id": token.token_id, "name": token.name, "role": str(token.role)},
    )
    for method, resource in routes_for(token.role):
        response.allow_route(method, resource)
    logger.info("authorized", extra={"token_id": token.token_id, "role": str(token.role)})
    return response.asdict()


@traced
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return authorize(event, token_service())
