"""`Idempotency-Key` on movement routes, with Powertools' idempotency utility.

The record's key is the operation id: the caller's token, the route and the client's key, so a
key belongs to its caller. The body and the `If-Match` header are validated by their hash, so
the same key with another body or precondition is refused. Only successes are stored:
Powertools deletes the record when the movement raises, so a failed request can be retried with
the same key (and the stock write refuses it if the failure came after the write: see
docs/idempotency.md).
"""

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Header, Request
from pydantic import BaseModel

from warehouse_inventory.domain.caller import Principal
from warehouse_inventory.domain.errors import (
    IdempotencyKeyReused,
    RequestInProgress,
    ServiceUnavailable,
)
from warehouse_inventory.domain.input_rules import IDEMPOTENCY_KEY
from warehouse_inventory.http.context import invocation_id_of, principal_of
from warehouse_inventory.observability import best_effort, log_failure, metrics
from warehouse_inventory.wiring import idempotency_store

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

KEY_LIFETIME_SECONDS = 25 * 3600  # the contract promises at least 24 h

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=IDEMPOTENCY_KEY.min_length,
        max_length=IDEMPOTENCY_KEY.max_length,
        pattern=IDEMPOTENCY_KEY.pattern,
    ),
]


def route_of(request: Request) -> str:
    return f"{request.method} {request.scope['route'].path}"


def operation_id(request: Request, principal: Principal, key: str | None) -> str:
    """The identity the stock write remembers (docs/idempotency.md): with a key, the same for
    every request of this caller with this key on this route, so a retry after an uncertain
    outcome is refused by the write itself; without one, the Lambda invocation's."""
    if key is None:
        return invocation_id_of(request.scope)
    scope = json.dumps([principal.token_id or principal.name, route_of(request), key])
    return "key:" + hashlib.sha256(scope.encode()).hexdigest()


Outcome = dict[str, Any]
"""What a movement answers: {"status": int, "body": JSON}."""


def _mark_replay(response: Any, idempotent_data: "DataRecord") -> Any:
    """Powertools calls this only when it answers from a stored record."""
    with best_effort("replay metric"):
        metrics.add_metric(name="IdempotentReplays", unit="Count", value=1)
    return dict(response) | {"replayed": True}


def once_per_operation(
    request: Request,
    key: str,
    body: BaseModel,
    if_match: str | None,
    execute: Callable[[], Outcome],
) -> tuple[Outcome, bool]:
    """Run `execute` once per operation: a repeat answers the stored outcome (replayed: True).

    If only saving the outcome fails, the movement stands and the client gets its outcome; the
    key's record stays in progress until it expires, and a repeat after that runs again, which
    the stock write refuses (docs/idempotency.md).
    """
    # Imported on the first request with a key: requests without one never load the utility.
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    config = IdempotencyConfig(
        event_key_jmespath="operation",
        payload_validation_jmespath="[body, if_match]",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=KEY_LIFETIME_SECONDS,
        response_hook=_mark_replay,
    )
    if context := request.scope.get("aws.context"):
        config.register_lambda_context(context)  # an interrupted run frees its key in time
    produced: list[Outcome] = []

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="movement", config=config, persistence_store=idempotency_store()
    )
    def execute_once(movement: dict[str, Any]) -> Outcome:
        produced.append(execute())
        return produced[-1]

    payload = {
        "operation": operation_id(request, principal_of(request.scope), key),
        "body": body.model_dump(mode="json"),
        "if_match": if_match,
    }
    try:
        outcome: Outcome = execute_once(movement=payload)
    except IdempotencyValidationError as exc:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with another body or If-Match."
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise RequestInProgress("A request with this Idempotency-Key is in progress.") from exc
    except IdempotencyPersistenceLayerError as exc:
        if not produced:
            raise ServiceUnavailable("The idempotency store is unavailable.") from exc
        log_failure("saving the key's response")
        return produced[-1], False
    return outcome, bool(outcome.pop("replayed", False))
