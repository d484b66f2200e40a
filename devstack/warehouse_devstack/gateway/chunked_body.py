"""Reads a chunked request body (RFC 9112, 7.1). The stdlib's HTTP server reads bodies by
Content-Length only, and a client streaming its body (httpx with an iterator, curl with
`-H "Transfer-Encoding: chunked"`) sends it chunked; API Gateway reads those like any other.
Written by hand: no library the local stack already has parses one from a plain socket stream."""

import re
from typing import Protocol

MAX_LINE_BYTES = 4096  # a chunk-size line or a trailer field
MAX_TRAILER_FIELDS = 100
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


class ByteStream(Protocol):
    def read(self, size: int, /) -> bytes: ...
    def readline(self, size: int, /) -> bytes: ...


class FramingError(Exception):
    """The body's framing is broken: nothing after it on the connection can be trusted."""


class BodyTooLarge(Exception):
    """The body passes the limit (the rest is left unread)."""


def read_chunked(stream: ByteStream, limit: int) -> bytes:
    """The de-chunked body; chunk extensions and trailer fields are dropped."""
    body = bytearray()
    while size := chunk_size(read_line(stream)):
        if len(body) + size > limit:
            raise BodyTooLarge
        data = stream.read(size)
        if len(data) < size:
            raise FramingError("The body ends inside a chunk.")
        body += data
        if stream.read(2) != b"\r\n":
            raise FramingError("A chunk is not followed by CRLF.")
    for _ in range(MAX_TRAILER_FIELDS):
        if not read_line(stream):
            return bytes(body)
    raise FramingError("Too many trailer fields.")


def read_line(stream: ByteStream) -> bytes:
    line = stream.readline(MAX_LINE_BYTES + 1)
    if not line.endswith(b"\r\n"):
        raise FramingError("A chunk line is too long or cut short.")
    return line[:-2]


def chunk_size(line: bytes) -> int:
    size = line.split(b";", 1)[0].strip(b" \t")
    if not _CHUNK_SIZE.fullmatch(size):
        raise FramingError("Invalid chunk size.")
    return int(size, 16)
