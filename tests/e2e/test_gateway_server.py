"""The gateway's HTTP server in-process, over a real socket, for what the full stack cannot
provoke: a handler that raises, malformed framing, and the per-invocation log line."""

import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import warehouse_devstack.gateway.http_server
from warehouse_devstack.gateway.http_server import GatewayServer, serving
from warehouse_devstack.gateway.rest_api import ApiGateway, HttpResponse
from warehouse_devstack.template import Template


class ScriptedGateway(ApiGateway):
    """Real route matching; the response (or exception) is set by the test."""

    def __init__(self, template: Template) -> None:
        super().__init__(template)
        self.outcome: HttpResponse | Exception = HttpResponse(200, [], b"{}", "HealthFunction")
        self.bodies: list[bytes] = []
        self.headers: list[list[tuple[str, str]]] = []

    def dispatch(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: list[tuple[str, str]],
        body: bytes,
        source_ip: str = "127.0.0.1",
    ) -> HttpResponse:
        self.bodies.append(body)
        self.headers.append(headers)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.fixture
def gateway(template: Template) -> ScriptedGateway:
    return ScriptedGateway(template)


@pytest.fixture
def server(gateway: ScriptedGateway) -> Iterator[GatewayServer]:
    with serving(GatewayServer(("127.0.0.1", 0), gateway)) as server:
        yield server


@pytest.fixture
def client(server: GatewayServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=5) as client:
        yield client


def raw_request(server: GatewayServer, request: bytes) -> bytes:
    """Bytes httpx would refuse to send; the server closes the connection after answering."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(request)
        return read_until_closed(connection)


def wait_for_records(caplog: pytest.LogCaptureFixture, count: int) -> list[logging.LogRecord]:
    """The server thread logs after writing the response, so the client can be first."""
    deadline = time.monotonic() + 5
    while len(caplog.records) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return caplog.records


def assert_internal_error(response: httpx.Response) -> None:
    body: dict[str, Any] = response.json()
    assert body["error"] == {"code": "internal", "message": "Internal error.", "details": None}
    assert body["request_id"] == response.headers["x-request-id"]


def test_handler_exception_is_502_and_the_server_keeps_serving(
    gateway: ScriptedGateway, client: httpx.Client
) -> None:
    gateway.outcome = RuntimeError("boom")

    failed = client.post("/inventory/restock", json={"sku": "ABC", "quantity": 1})

    assert failed.status_code == 502
    assert_internal_error(failed)
    gateway.outcome = HttpResponse(200, [("x-request-id", "r1")], b'{"status":"ok"}', "Health")
    assert client.get("/health").json() == {"status": "ok"}


def test_response_status_headers_and_body_are_passed_through(
    gateway: ScriptedGateway, client: httpx.Client
) -> None:
    headers = [("content-type", "text/plain"), ("set-cookie", "a=1"), ("set-cookie", "b=2")]
    gateway.outcome = HttpResponse(418, headers, b"teapot", "HealthFunction")

    response = client.get("/health")

    assert (response.status_code, response.text) == (418, "teapot")
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_body_is_read_by_content_length(gateway: ScriptedGateway, client: httpx.Client) -> None:
    client.post("/inventory/restock", content=b'{"sku": "ABC"}')
    client.get("/health")

    assert gateway.bodies == [b'{"sku": "ABC"}', b""]


def test_one_log_line_per_invocation(
    gateway: ScriptedGateway, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.outcome = HttpResponse(201, [], b"{}", "RestockFunction")
    caplog.set_level(logging.INFO, logger="warehouse_devstack.gateway.http_server")

    client.post("/inventory/restock", content=b"{}")

    [record] = wait_for_records(caplog, 1)
    assert record.getMessage().startswith("RestockFunction POST /inventory/restock -> 201 (")
    assert record.getMessage().endswith(" ms)")


def test_exception_is_logged_with_its_function(
    gateway: ScriptedGateway, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.outcome = RuntimeError("boom")
    caplog.set_level(logging.INFO, logger="warehouse_devstack.gateway.http_server")

    client.get("/inventory/ABC")

    failure, access = wait_for_records(caplog, 2)
    assert failure.exc_info is not None and "GetInventoryFunction" in failure.getMessage()
    assert access.getMessage().startswith("GetInventoryFunction GET /inventory/ABC -> 502 (")


def test_invalid_content_length_is_bad_request(server: GatewayServer) -> None:
    reply = raw_request(server, b"POST /inventory/restock HTTP/1.1\r\nContent-Length: -1\r\n\r\n")

    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b'"code": "bad_request"' in reply


def test_a_chunked_body_reaches_the_function_whole_without_the_framing_header(
    gateway: ScriptedGateway, server: GatewayServer
) -> None:
    """As API Gateway does: the body de-chunked (extensions and trailers dropped), no
    Transfer-Encoding in the event, and the connection kept for the next request."""
    head = b"POST /inventory/restock HTTP/1.1\r\nHost: local\r\nTransfer-Encoding: chunked\r\n\r\n"
    body = b'5;ext=1\r\n{"sku\r\n9\r\n": "ABC"}\r\n0\r\nX-Trailer: t\r\n\r\n'
    then = b"GET /health HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n"

    reply = raw_request(server, head + body + then)  # the next request right behind the body

    first, second = reply.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"200 ") and b"Connection: close" not in first
    assert second.startswith(b"200 ")
    assert gateway.bodies == [b'{"sku": "ABC"}', b""]
    assert "transfer-encoding" not in {name.lower() for name, _ in gateway.headers[0]}


def test_a_client_streaming_its_body_is_served(
    gateway: ScriptedGateway, client: httpx.Client
) -> None:
    """httpx (like most clients) sends a body of unknown length chunked."""
    response = client.post("/inventory/restock", content=iter([b'{"sku": ', b'"ABC"}']))

    assert response.status_code == 200
    assert gateway.bodies == [b'{"sku": "ABC"}']


@pytest.mark.parametrize(
    "body",
    [b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n", b"-2\r\n{}\r\n0\r\n\r\n", b"2\r\n{"],
    ids=["size not hex", "chunk without CRLF", "negative size", "cut short"],
)
def test_malformed_chunked_framing_is_bad_request(
    gateway: ScriptedGateway, server: GatewayServer, body: bytes
) -> None:
    head = b"POST /inventory/restock HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(head + body)
        connection.shutdown(socket.SHUT_WR)  # "cut short": the client goes away mid-body
        reply = read_until_closed(connection)

    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b'"code": "bad_request"' in reply and b"Connection: close" in reply
    assert gateway.bodies == []


@pytest.mark.parametrize("coding", [b"gzip", b"gzip, chunked", b"identity"])
def test_a_transfer_coding_other_than_chunked_is_bad_request(
    gateway: ScriptedGateway, server: GatewayServer, coding: bytes
) -> None:
    """Without chunked last the length is unknowable (RFC 9112 6.3); other codings are not
    decoded here."""
    head = b"POST /inventory/restock HTTP/1.1\r\nTransfer-Encoding: " + coding + b"\r\n\r\n"

    reply = raw_request(server, head + b"2\r\n{}\r\n0\r\n\r\n")

    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in reply
    assert gateway.bodies == []


def test_transfer_encoding_overrides_content_length_and_the_connection_closes(
    gateway: ScriptedGateway, server: GatewayServer
) -> None:
    """RFC 9112 6.3: chunked wins; both together may be a smuggling attempt, so the connection
    is closed after the answer and nothing after the chunked body is read as a request."""
    head = (
        b"POST /inventory/restock HTTP/1.1\r\n"
        b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    smuggled = b"GET /health HTTP/1.1\r\n\r\n"

    reply = raw_request(server, head + b"2\r\n{}\r\n0\r\n\r\n" + smuggled)

    assert reply.startswith(b"HTTP/1.1 200 ") and reply.count(b"HTTP/1.1 ") == 1
    assert b"Connection: close" in reply
    assert gateway.bodies == [b"{}"]


def test_a_chunked_body_over_the_gateway_quota_is_413(
    gateway: ScriptedGateway, server: GatewayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warehouse_devstack.gateway.http_server, "MAX_BODY_BYTES", 10)
    head = b"POST /inventory/restock HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"

    reply = raw_request(server, head + b"6\r\n123456\r\n6\r\n789012\r\n0\r\n\r\n")

    assert reply.startswith(b"HTTP/1.1 413 ")
    assert b'"code": "payload_too_large"' in reply
    assert gateway.bodies == []


def test_request_the_stdlib_refuses_gets_a_contract_error(server: GatewayServer) -> None:
    headers = b"".join(b"X-H%d: v\r\n" % number for number in range(101))

    reply = raw_request(server, b"GET /health HTTP/1.1\r\n" + headers + b"\r\n")

    assert reply.startswith(b"HTTP/1.1 431 ")
    assert reply.split(b"\r\n\r\n", 1)[1].startswith(b'{"error": {"code": "bad_request"')


def test_closing_the_server_ends_idle_keep_alive_connections(gateway: ScriptedGateway) -> None:
    server = GatewayServer(("127.0.0.1", 0), gateway)
    with socket.socket() as connection:
        connection.settimeout(5)
        with serving(server):
            connection.connect(("127.0.0.1", server.port))
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: local\r\n\r\n")
            first = connection.recv(65536)  # answered; the connection stays open (keep-alive)
        rest = read_until_closed(connection)  # a TimeoutError here: the server kept it open

    assert (first + rest).startswith(b"HTTP/1.1 200 ")


def read_until_closed(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_kept_alive_connection_gets_each_response_at_once(
    server: GatewayServer, client: httpx.Client
) -> None:
    """Headers and body are two writes: under Nagle's algorithm the body would wait for the
    client's delayed ACK (40 ms on Linux) on each request of a connection but its first."""
    assert client.get("/health").status_code == 200
    (connection,) = server._connections  # the client's, kept alive
    assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
