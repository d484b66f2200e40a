"""The local stack's HTTP front: every request goes through `ApiGateway.dispatch`, as in AWS.

Stdlib only (`ThreadingHTTPServer`) so a dev tool adds no dependency. One log line per
invocation (function, status, duration) replaces the default access log: those are what a
developer watches. A failing handler becomes a 502, as API Gateway answers a failed Lambda, and
never takes the server down.
"""

import json
import logging
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from warehouse_devstack.gateway.chunked_body import BodyTooLarge, FramingError, read_chunked
from warehouse_devstack.gateway.rest_api import ApiGateway, HttpResponse
from warehouse_inventory.domain.errors import (
    ERROR_BY_STATUS,
    BadRequest,
    PayloadTooLarge,
    WarehouseError,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
"""API Gateway's own payload quota; the API's 64 KiB limit is the application's to enforce."""

# The server frames each response itself; the function must not dictate these.
HOP_BY_HOP_HEADERS = frozenset({"connection", "content-length", "keep-alive", "transfer-encoding"})
NO_BODY_STATUSES = frozenset({HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED})
_DIGITS = re.compile(r"[0-9]+")


class RequestRejected(Exception):
    """The request cannot reach a function; `response` says why, in the contract's format."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status)
        self.response = response


def error_response(status: int, error: WarehouseError) -> HttpResponse:
    """A contract error body from the gateway itself (no function ran, so a fresh request id)."""
    request_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "error": {"code": error.code, "message": error.message, "details": None},
            "request_id": request_id,
        }
    )
    headers = [("content-type", "application/json"), ("x-request-id", request_id)]
    return HttpResponse(status, headers, body.encode())


class GatewayRequestHandler(BaseHTTPRequestHandler):
    """Reads one request, dispatches it, writes the function's response back."""

    server: "GatewayServer"
    protocol_version = "HTTP/1.1"  # keep-alive, as clients of the real API get
    # TCP_NODELAY: headers and body are two writes; under Nagle's algorithm the body would wait
    # for the client's delayed ACK (40 ms) on each request of a kept-alive connection but its first.
    disable_nagle_algorithm = True
    server_version = "warehouse-devstack"
    timeout = 60  # an idle keep-alive connection gives its thread back after this

    def _serve(self) -> None:
        started = time.perf_counter()
        url = urlsplit(self.path)
        response = self._response(url.path, url.query)
        self._write(response)
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "%s %s %s -> %d (%.1f ms)",
            response.function or "-",
            self.command,
            url.path,
            response.status,
            elapsed_ms,
        )

    # The stdlib looks handlers up as do_<METHOD>; every method goes the same way.
    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve  # noqa: N815

    def __getattr__(self, name: str) -> Any:
        """Other methods too (TRACE, QUERY, ...): API Gateway answers a method no route has with
        its "no route" response (404 here), where the stdlib would answer 501."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _response(self, path: str, query: str) -> HttpResponse:
        try:
            body = self._read_body()
        except RequestRejected as rejected:
            self.close_connection = True  # the unread body would corrupt the next request
            return rejected.response
        try:
            return self.server.gateway.dispatch(
                self.command, path, query, self._forwarded_headers(), body, self.client_address[0]
            )
        except Exception:
            function = self._function_of(path)
            logger.exception("%s failed; answering 502 as API Gateway does", function or path)
            return replace(
                error_response(HTTPStatus.BAD_GATEWAY, WarehouseError()), function=function
            )

    def _read_body(self) -> bytes:
        """The body by its framing: chunked, as API Gateway also takes it, or Content-Length."""
        codings = self._transfer_codings()
        if codings:
            return self._read_chunked(codings)
        declared = self.headers.get("Content-Length")
        if declared is None:
            return b""
        if not _DIGITS.fullmatch(declared.strip()):
            raise RequestRejected(
                error_response(HTTPStatus.BAD_REQUEST, BadRequest("Invalid Content-Length."))
            )
        length = int(declared)
        if length > MAX_BODY_BYTES:
            raise RequestRejected(
                error_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, PayloadTooLarge())
            )
        return self.rfile.read(length)

    def _transfer_codings(self) -> list[str]:
        values = self.headers.get_all("Transfer-Encoding") or []
        return [
            coding.strip().lower()
            for value in values
            for coding in value.split(",")
            if coding.strip()
        ]

    def _read_chunked(self, codings: list[str]) -> bytes:
        """RFC 9112: without chunked last the length is unknowable (6.3); other codings are not
        decoded here (400 rather than 501, a status the API does not document). With a
        Content-Length too, chunked wins and the connection closes after the answer (6.3), so
        bytes a smuggler counted differently are never read as a request."""
        if codings != ["chunked"]:
            raise RequestRejected(
                error_response(
                    HTTPStatus.BAD_REQUEST,
                    BadRequest("Only the chunked transfer coding is supported."),
                )
            )
        if "Content-Length" in self.headers:
            self.close_connection = True
        try:
            return read_chunked(self.rfile, MAX_BODY_BYTES)
        except BodyTooLarge:
            raise RequestRejected(
                error_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, PayloadTooLarge())
            ) from None
        except FramingError as error:
            raise RequestRejected(
                error_response(HTTPStatus.BAD_REQUEST, BadRequest(str(error)))
            ) from None

    def _forwarded_headers(self) -> list[tuple[str, str]]:
        """The request's headers without its framing once a chunked body is read: the function
        gets the whole body, as API Gateway passes it on."""
        if not self._transfer_codings():
            return list(self.headers.items())
        framing = {"transfer-encoding", "content-length"}
        return [
            (name, value) for name, value in self.headers.items() if name.lower() not in framing
        ]

    def _function_of(self, path: str) -> str | None:
        matched = self.server.gateway.match(self.command, unquote(path))
        return matched[0].function.logical_id if matched else None

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in HOP_BY_HOP_HEADERS:
                self.send_header(name, value)
        if response.status not in NO_BODY_STATUSES:
            self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.status not in NO_BODY_STATUSES:
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Requests the stdlib refuses before dispatch (malformed request line, oversized
        headers) get a contract error body too, not the stdlib's HTML page."""
        self.close_connection = True
        self._write(error_response(code, ERROR_BY_STATUS.get(code, BadRequest)(message)))
        logger.info("- %r -> %d (%s)", self.requestline, code, message)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Silenced: `_serve` logs each invocation with its function and duration instead."""

    def log_message(self, format: str, *args: Any) -> None:
        """Protocol-level complaints (bad request line, timeouts) go to logging, not raw stderr."""
        logger.debug("%s - " + format, self.address_string(), *args)


class GatewayServer(ThreadingHTTPServer):
    """One daemon thread per connection: a hung request never blocks the process from exiting.

    The open connections are tracked so that closing the server also ends idle keep-alive
    connections, whose threads would otherwise outlive it.
    """

    daemon_threads = True
    # Many clients connecting at once (`make bench` uses 16) overflow the default backlog of 5,
    # and the kernel then resets some of those connections.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], gateway: ApiGateway) -> None:
        self.gateway = gateway
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, GatewayRequestHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening, then shut the read side of open connections: a response being
        written still goes out, and the connection's thread ends at its next read."""
        super().server_close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RD)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-response is routine; anything else keeps its traceback."""
        if isinstance(sys.exception(), ConnectionError):
            logger.debug("client %s disconnected", client_address)
            return
        logger.exception("error while serving %s", client_address)


@contextmanager
def serving(server: GatewayServer) -> Iterator[GatewayServer]:
    """Accept connections on a background thread until the block exits, then close the server
    (before whatever it depends on, such as DynamoDB Local, goes away)."""
    thread = threading.Thread(target=server.serve_forever, name="gateway", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
