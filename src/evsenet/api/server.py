"""The HTTP/1.1 connection as `evsenet serve` runs it: uvicorn with deadlines on the client.

uvicorn times out a connection only while it is idle *between* requests (keep-alive); a
client that opens a socket and sends half a request line, or half its headers, or stops
in the middle of a body, is held for ever, and ~20,000 such sockets exhaust the server's
file descriptors ("slowloris"). `GuardedHttpTools` is uvicorn's own httptools protocol
with three guards added:

- **header deadline**: a request's line and headers must all arrive within
  `header_timeout` seconds of the connection opening or of the request's first byte
  (total, not per read: dripping a byte at a time does not extend it); the header block
  may hold at most `max_header_bytes`;
- **body idle timeout**: while the server is reading a body, `body_timeout` seconds
  without a byte close the connection. Time the server itself is not reading (its
  buffer is full because the app has not asked for more) does not count;
- **connection cap**: beyond `max_connections` open connections, a new one is closed at
  once, before it can hold a file descriptor for long.

A connection that misses a deadline is closed without an answer. In production, put a
reverse proxy in front (see the README); these guards keep a directly exposed server
alive all the same.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from dataclasses import dataclass
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from evsenet import config

log = logging.getLogger("evsenet.server")

RESERVED_DESCRIPTORS = 256
"""File descriptors kept free of client connections: database files, logs, the listener."""


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How long a client may take to send a request, and how many may be connected."""

    header_timeout: float
    body_timeout: float
    max_connections: int
    max_header_bytes: int = 65_536


@cache
def connection_limits() -> ConnectionLimits:
    """The limits from the environment (`EVSENET_HEADER_TIMEOUT_S`, `EVSENET_BODY_TIMEOUT_S`,
    `EVSENET_MAX_CONNECTIONS`), read once per process. The process's open-file limit is
    raised to fit the connections; where the hard limit is lower, fewer are kept."""
    return ConnectionLimits(
        header_timeout=config.header_timeout_seconds(),
        body_timeout=config.body_timeout_seconds(),
        max_connections=raise_descriptor_limit(config.max_connections()),
    )


def raise_descriptor_limit(connections: int) -> int:
    """Raise this process's open-file limit to room for `connections` (up to the hard
    limit); how many connections fit in the limit it has now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + RESERVED_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
            soft = new_soft
        except (ValueError, OSError):
            pass  # the system's own ceiling (nr_open) is lower: keep the limit there is
    if soft == resource.RLIM_INFINITY:
        return connections
    return max(1, min(connections, soft - RESERVED_DESCRIPTORS))


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header deadline, a body idle timeout and a
    connection cap (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = connection_limits()
        self._timer: asyncio.TimerHandle | None = None
        self._reading_body = False
        self._header_bytes = 0

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self._reading_body and self.flow.read_paused:
            # The server stopped reading (the app has not asked for more): not the client's
            # delay. Look again later.
            self._arm(self.limits.body_timeout)
            return
        what = "its body" if self._reading_body else "its request headers"
        log.info("Closed a connection from %s: %s did not arrive in time", self.client, what)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            log.warning(
                "Refused a connection from %s: %d connections are open (EVSENET_MAX_CONNECTIONS)",
                self.client,
                len(self.connections) - 1,
            )
            transport.close()
            return
        self._arm(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._reading_body = False
        if self._timer is None:
            self._arm(self.limits.header_timeout)

    def on_url(self, url: bytes) -> None:
        self._count_header_bytes(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_header_bytes(len(name) + len(value))
        super().on_header(name, value)

    def _count_header_bytes(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > self.limits.max_header_bytes and not self.transport.is_closing():
            self._disarm()
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"content-length: 0\r\nconnection: close\r\n\r\n"
            )
            self.transport.close()

    def on_headers_complete(self) -> None:
        if self.transport.is_closing():
            return
        self._reading_body = True
        self._arm(self.limits.body_timeout)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._reading_body:
            return  # the connection was closed while its headers were parsed
        if self._timer is not None:
            self._arm(self.limits.body_timeout)
        super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._reading_body:
            return  # the connection was closed while its headers were parsed
        self._reading_body = False
        self._disarm()
        super().on_message_complete()
