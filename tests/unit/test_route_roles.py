"""access.MINIMUM_ROLE, template.yaml and the app's routers name the same routes, and the template
gives exactly the public ones no authorizer (and every protected path a public CORS preflight)."""

import importlib
import pkgutil
from collections import Counter

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

import warehouse_inventory.http.routes
from tests.support.contract_access import api_routes
from warehouse_devstack.template import Template
from warehouse_inventory.domain.access import MINIMUM_ROLE, PUBLIC
from warehouse_inventory.http.lambda_app import build_app

Route = tuple[str, str]


def app_routers() -> dict[str, APIRouter]:
    """Every APIRouter defined by a module of the `warehouse_inventory.http.routes` package."""
    routers: dict[str, APIRouter] = {}
    package = warehouse_inventory.http.routes
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, APIRouter):
                routers[f"{info.name}.{name}"] = value
    return routers


def app_routes() -> set[Route]:
    return {
        (method, route.path)
        for router in app_routers().values()
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }


def template_routes(template: Template) -> set[Route]:
    return {(route.method, route.path) for route in api_routes(template)}


def test_the_routes_package_is_found() -> None:
    """Guards the walk itself: an empty walk would make the other checks vacuous."""
    assert "warehouse_inventory.http.routes.restock.router" in app_routers()
    assert ("POST", "/inventory/restock") in app_routes()


def test_every_app_route_has_a_minimum_role() -> None:
    assert sorted(app_routes() - set(MINIMUM_ROLE)) == []


def test_every_template_route_has_a_minimum_role(template: Template) -> None:
    assert sorted(template_routes(template) - set(MINIMUM_ROLE)) == []


def test_every_minimum_role_names_a_real_route(template: Template) -> None:
    """A stale or misspelt entry protects nothing and hides the route it meant."""
    known = template_routes(template) | app_routes()
    assert sorted(set(MINIMUM_ROLE) - known) == []


def test_every_app_route_is_deployed_and_every_protected_route_served(
    template: Template,
) -> None:
    """Public template routes may be FastAPI's own (the docs), which no router declares."""
    protected = {
        route for route in template_routes(template) if MINIMUM_ROLE.get(route) is not PUBLIC
    }
    assert sorted(app_routes() - template_routes(template)) == []
    assert sorted(protected - app_routes()) == []


def test_template_routes_are_public_exactly_when_the_table_says_so(template: Template) -> None:
    for route in api_routes(template):
        declared_public = MINIMUM_ROLE.get((route.method, route.path), "missing") is PUBLIC
        assert route.public == declared_public, f"{route.method} {route.path}"


def test_every_protected_path_has_one_public_preflight(template: Template) -> None:
    events = [route for spec in template.functions() for route in spec.routes]
    preflights = Counter(route.path for route in events if route.method == "OPTIONS")
    protected = {route.path for route in events if route.method != "OPTIONS" and not route.public}
    assert {path: preflights[path] for path in protected} == dict.fromkeys(protected, 1)
    assert all(route.public for route in events if route.method == "OPTIONS")
    assert set(preflights) <= protected, "a preflight on a path that has no protected route"


@pytest.mark.parametrize(("method", "path"), [("GET", "/nowhere-declared"), ("PATCH", "/tokens")])
def test_build_app_refuses_an_undeclared_route(method: str, path: str) -> None:
    router = APIRouter()

    async def endpoint() -> dict[str, str]:
        return {}

    router.add_api_route(path, endpoint, methods=[method])
    with pytest.raises(LookupError, match=f"{method} {path}"):
        build_app(router)


def test_build_app_accepts_declared_routes() -> None:
    """Every router of the package together (as the docs function does) builds without error."""
    app = build_app(*app_routers().values())
    paths = app.openapi()["paths"]
    served = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    assert served == app_routes()
