"""ASGI middleware at the HTTP edge: HEAD requests and compressed request bodies.

- `HEAD` on a path that answers `GET` is answered like the `GET`, without its body
  (RFC 9110 §9.3.2); FastAPI routes declare `GET` only and would answer 405.
- A request body with `Content-Encoding: gzip` is decompressed as it streams in, in
  slices of at most `SLICE` bytes, so that the body limit (`read_body`) counts the
  decompressed bytes and a "gzip bomb" is refused at the limit, never inflated whole.
  `identity` is the same as no encoding; any other coding is refused with 415
  `content_encoding.unsupported`, and a broken gzip stream with 400
  `request.encoding_malformed`.
"""

from __future__ import annotations

import zlib
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evsenet.api.problems import ApiProblem, problem

SLICE = 65_536
"""The most bytes one decompression step produces."""

ORIGINAL_METHOD = "evsenet_method"
"""Scope key holding the method the client sent when the middleware changed it (HEAD)."""


class HeadAsGet:
    """Answer `HEAD` like `GET`, sending the headers and no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        scope = {**scope, "method": "GET", ORIGINAL_METHOD: "HEAD"}

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, send_headers_only)


def _header(scope: Scope, name: bytes) -> str | None:
    values = [value for key, value in scope["headers"] if key.lower() == name]
    return b", ".join(values).decode("latin-1") if values else None


class RequestDecoding:
    """Decompress gzip request bodies as they stream; refuse codings evsenet cannot read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-encoding")
        codings = [c.strip().lower() for c in (declared or "").split(",") if c.strip()]
        codings = [coding for coding in codings if coding != "identity"]
        if not codings:
            await self.app(scope, receive, send)
            return
        if codings not in (["gzip"], ["x-gzip"]):
            shown = ", ".join(codings)[:100]
            response = problem(
                415,
                "content_encoding.unsupported",
                f"The body's Content-Encoding {shown!r} is not one this service reads; send "
                "it uncompressed or with 'Content-Encoding: gzip'",
                headers={"Accept-Encoding": "gzip, identity"},
            )
            await response(scope, receive, send)
            return
        dropped = (b"content-encoding", b"content-length")
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in dropped]
        scope = {**scope, "headers": headers}
        await self.app(scope, _GunzipReceive(receive), send)


def _malformed(reason: str) -> ApiProblem:
    return ApiProblem(
        400,
        "request.encoding_malformed",
        f"The body is declared 'Content-Encoding: gzip' but {reason}; send a complete gzip "
        "stream or the body uncompressed",
    )


class _GunzipReceive:
    """A `receive` that hands out the decompressed body in slices of at most SLICE bytes."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        self.pending = b""
        self.more = True
        self.received_any = False

    async def __call__(self) -> Message:
        while True:
            if self.pending:
                return self._slice(self.pending)
            if not self.more:
                return self._end()
            message = await self.receive()
            if message["type"] != "http.request":
                return message
            data: bytes = message.get("body", b"")
            self.more = bool(message.get("more_body", False))
            if data:
                self.received_any = True
                self.pending = data

    def _slice(self, data: bytes) -> MutableMapping[str, Any]:
        if self.inflater.eof:
            if data.strip(b"\x00"):
                raise _malformed("it has bytes after the end of the gzip stream")
            self.pending = b""
            return {"type": "http.request", "body": b"", "more_body": self.more}
        try:
            out = self.inflater.decompress(data, SLICE)
        except zlib.error:
            raise _malformed("it is not a valid gzip stream") from None
        self.pending = self.inflater.unconsumed_tail
        if self.inflater.eof:
            self.pending = self.inflater.unused_data + self.pending
            if not self.pending.strip(b"\x00"):
                self.pending = b""
        more_body = bool(self.pending) or self.more
        if not more_body and not self.inflater.eof:
            raise _malformed("the gzip stream ends early")
        return {"type": "http.request", "body": out, "more_body": more_body}

    def _end(self) -> Message:
        if self.received_any and not self.inflater.eof:
            raise _malformed("the gzip stream ends early")
        return {"type": "http.request", "body": b"", "more_body": False}
