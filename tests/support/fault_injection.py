"""Faults injected into DynamoDB calls with botocore event hooks: an answer the SDK sees instead
of DynamoDB's, or after it (the write applied but its answer was lost)."""

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ReadTimeoutError
from botocore.httpsession import URLLib3Session

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


Fault = Callable[[AWSPreparedRequest], AWSResponse]
"""Answers one request instead of DynamoDB (or after it: see `reach_then`); may raise."""


class CannedBody:
    """The `raw` of an AWSResponse: botocore reads the body through `stream()`."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def answer(status: int, code: str, **fields: Any) -> Fault:
    """DynamoDB's JSON error answer, as the wire carries it (`__type` names the error)."""
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code, **fields}

    def fault(request: AWSPreparedRequest) -> AWSResponse:
        headers = HTTPHeaders.from_dict(
            {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": str(uuid.uuid4())}
        )
        return AWSResponse(request.url, status, headers, CannedBody(json.dumps(body).encode()))

    return fault


THROTTLED = answer(400, "ProvisionedThroughputExceededException")
INTERNAL_ERROR = answer(500, "InternalServerError")


def cancelled(*reasons: str) -> Fault:
    return answer(
        400,
        "TransactionCanceledException",
        CancellationReasons=[{"Code": code, "Message": code} for code in reasons],
    )


def read_timeout(request: AWSPreparedRequest) -> AWSResponse:
    raise ReadTimeoutError(endpoint_url=request.url)


def reach_then(fault: Fault, meanwhile: Callable[[], object] = lambda: None) -> Fault:
    """Send the request to DynamoDB for real (it applies), run `meanwhile` (another client's
    write landing before the resend), then show the client `fault`."""

    def ambiguous(request: AWSPreparedRequest) -> AWSResponse:
        session = URLLib3Session()
        try:
            delivered = session.send(request)
        finally:
            session.close()
        assert delivered.status_code == 200, delivered.content
        meanwhile()
        return fault(request)

    return ambiguous


@dataclass
class Injector:
    """Records every request of one operation and answers the first ones with `faults`."""

    faults: list[Fault]
    requests: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def on(cls, client: "DynamoDBClient", operation: str, *faults: Fault) -> "Injector":
        injector = cls(list(faults))
        # botocore-stubs type handlers as returning None; a before-send handler may answer
        handler = cast("Callable[..., None]", injector.before_send)
        client.meta.events.register(f"before-send.dynamodb.{operation}", handler)
        return injector

    def before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        """botocore sends the request itself when a before-send handler returns None."""
        body = request.body
        self.requests.append(json.loads(body.decode() if isinstance(body, bytes) else str(body)))
        return self.faults.pop(0)(request) if self.faults else None

    def sent_to(self, key: dict[str, Any]) -> list[dict[str, Any]]:
        return [request for request in self.requests if request.get("Key") == key]
