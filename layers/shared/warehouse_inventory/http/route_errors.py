"""Which contract errors each route can answer: the OpenAPI document lists exactly these.

Most follow from what a route is, read from the route itself so they cannot drift: every route
answers 500 (`internal`), 429 (API Gateway's throttling) and 422 (unknown query parameters);
a token brings 401, a role above viewer 403; a body brings 400 (malformed JSON), 413 and 415;
a `cursor` 400 `invalid_cursor`; an `Idempotency-Key` its 409 and 422; `If-Match` 412; a
service that calls AWS 503. What the use case itself refuses (404, 409, ...) is declared on the
endpoint with `raises`. tests/integration/moto/test_route_errors.py provokes every listed error
of every route, and fails on one the API answers without listing it.
"""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from warehouse_inventory.domain.access import PUBLIC, Role, minimum_role
from warehouse_inventory.domain.errors import (
    BadRequest,
    Forbidden,
    IdempotencyKeyReused,
    InvalidCursor,
    PayloadTooLarge,
    PreconditionFailed,
    RateLimited,
    RequestInProgress,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    WarehouseError,
)
from warehouse_inventory.http.dependencies import AWS_BACKED

ErrorSet = frozenset[type[WarehouseError]]
EVERY_ROUTE: ErrorSet = frozenset({WarehouseError, RateLimited, ValidationFailed})
WITH_A_BODY: ErrorSet = frozenset({BadRequest, PayloadTooLarge, UnsupportedMediaType})
WITH_A_KEY: ErrorSet = frozenset({IdempotencyKeyReused, RequestInProgress, ServiceUnavailable})
LOWEST_ROLE = min(Role, key=lambda role: role.rank)

_DECLARED = "__raises__"


def raises[Endpoint: Callable[..., Any]](
    *errors: type[WarehouseError],
) -> Callable[[Endpoint], Endpoint]:
    """Declare the errors an endpoint's use case raises (beneath its @router decorator)."""

    def declare(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _DECLARED, frozenset(errors))
        return endpoint

    return declare


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for dependency in dependant.dependencies:
        yield from _dependants(dependency)


def route_errors(route: APIRoute) -> ErrorSet:
    """Every error `route` may answer (one method per route, as every route here has)."""
    (method,) = route.methods or {"GET"}
    dependants = list(_dependants(route.dependant))
    headers = {field.alias for d in dependants for field in d.header_params}
    queries = {field.alias for d in dependants for field in d.query_params}
    errors = set(EVERY_ROUTE) | getattr(route.endpoint, _DECLARED, frozenset())
    required = minimum_role(method, route.path)
    if required is not PUBLIC:
        errors.add(Unauthorized)
        if required is not LOWEST_ROLE:
            errors.add(Forbidden)
    if route.body_field is not None:
        errors |= WITH_A_BODY
    if "cursor" in queries:
        errors.add(InvalidCursor)
    if "Idempotency-Key" in headers:
        errors |= WITH_A_KEY
    if "If-Match" in headers:
        errors.add(PreconditionFailed)
    if any(d.call in AWS_BACKED for d in dependants):
        errors.add(ServiceUnavailable)
    return frozenset(errors)
