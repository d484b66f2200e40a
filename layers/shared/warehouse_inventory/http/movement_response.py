"""The response of a stock movement route: apply the movement (once per Idempotency-Key), then
present it. Everything after the commit is best effort (observability.best_effort): the client
gets the success it is owed, and with a key that success is what the key stores."""

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from warehouse_inventory.http.idempotency import Outcome, once_per_operation
from warehouse_inventory.observability import best_effort, count_movement, log_failure


def presented[T](outcome: T, present: Callable[[T], BaseModel]) -> Any:
    """The contract's body; should building it fail, the outcome's own fields (logged)."""
    try:
        return present(outcome).model_dump(mode="json")
    except Exception:
        log_failure("building the response")
        return to_jsonable_python(outcome, fallback=str)


def movement_response[T](
    request: Request,
    key: str | None,
    body: BaseModel,
    *,
    kind: str | Mapping[str, int],
    status: int,
    apply: Callable[[], T],
    present: Callable[[T], BaseModel],
    if_match: str | None = None,
) -> JSONResponse:
    """`apply` commits the movement (its errors are the request's); the rest cannot fail it.
    `kind` is the movement's type, or for a batch how many movements of each type it holds."""
    counts = {kind: 1} if isinstance(kind, str) else dict(kind)

    def execute() -> Outcome:
        outcome = apply()
        for movement_type, count in counts.items():
            with best_effort("movement metric", movement_type=movement_type):
                count_movement(movement_type, count)
        return {"status": status, "body": presented(outcome, present)}

    if key is None:
        result, replayed = execute(), False
    else:
        result, replayed = once_per_operation(request, key, body, if_match, execute)
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(result["body"], status_code=result["status"], headers=headers)
