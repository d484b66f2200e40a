"""Loads a function's handler from its CodeUri and Handler in template.yaml; invokes it."""

import importlib.util
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from warehouse_devstack.template import FunctionSpec, Template

_import_lock = threading.RLock()

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools and Mangum read."""

    function_name: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def apply_environment(template: Template) -> dict[str, str]:
    """Put the functions' environment into this process; refuse values that differ per function.

    All handlers share one process locally, so one variable cannot take two values.
    """
    merged: dict[str, str] = {}
    for spec in template.functions():
        for name, value in spec.environment.items():
            if merged.get(name, value) != value:
                raise ValueError(
                    f"{name} differs between functions; the local stack shares one env"
                )
            merged[name] = value
    for name in [name for name in merged if name.startswith("AWS_ENDPOINT_URL")]:
        del merged[name]  # empty in the template; the local stack sets its own endpoints
    os.environ.update(merged)
    return merged


def forget_function_singletons() -> None:
    """The layer caches settings, clients and services per container, as Lambda reuses them;
    a new environment (another endpoint, another test module) needs fresh ones."""
    from warehouse_inventory.wiring import forget_services

    forget_services()


def load_handler(spec: FunctionSpec) -> Handler:
    """Import the entry module once per function, under a unique name (they are all `app.py`)."""
    with _import_lock:  # concurrent first requests of the local stack must not import twice
        return _load_locked(spec.logical_id, str(spec.module_file), spec.handler_name)


@cache
def _load_locked(logical_id: str, module_file: str, handler_name: str) -> Handler:
    module_spec = importlib.util.spec_from_file_location(f"fn_{logical_id}", module_file)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    handler: Handler = getattr(module, handler_name)
    return handler


def invoke(spec: FunctionSpec, event: dict[str, Any]) -> Any:
    return load_handler(spec)(event, LambdaContext(function_name=spec.logical_id))
