"""Where evsenet keeps its data. Environment variables override the defaults."""

from __future__ import annotations

import os
from pathlib import Path

from evsenet.domain.errors import DomainError

DEFAULT_SQLITE_PATH = Path("data") / "evsenet.sqlite"


def database_url(explicit: str | None = None) -> str:
    """The database URL: explicit, else `EVSENET_DATABASE_URL`, else a local SQLite file.

    The SQLite file is `EVSENET_DATABASE_PATH` (default `data/evsenet.sqlite` below the
    working directory); its folder is created on first use.
    """
    if explicit:
        return explicit
    if url := os.environ.get("EVSENET_DATABASE_URL"):
        return url
    path = Path(os.environ.get("EVSENET_DATABASE_PATH", DEFAULT_SQLITE_PATH))
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


DEFAULT_MAX_BODY_MIB = 256
"""Room for a fullLoad of 100,000 full OICP records."""


def max_body_bytes() -> int:
    """The largest push or import body the API takes: `EVSENET_MAX_BODY_MIB` MiB."""
    text = os.environ.get("EVSENET_MAX_BODY_MIB", "").strip()
    if not text:
        return DEFAULT_MAX_BODY_MIB * 1024 * 1024
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= 1024 * 1024):
        raise DomainError(
            "config.invalid",
            f"EVSENET_MAX_BODY_MIB is {text!r}; set a whole number of MiB such as 256",
        )
    return int(text) * 1024 * 1024


DEFAULT_MAX_CONCURRENT_WRITES = 2
"""Two pushes at the 256 MiB limit stay within the memory benchmark's bound."""
WRITE_WAIT_SECONDS = 5.0
"""How long a push or import waits for a write slot before it is answered 503."""


def _whole_number(name: str, default: int, example: str, highest: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= highest):
        raise DomainError(
            "config.invalid",
            f"{name} is {text!r}; set a whole number from 1 to {highest} such as {example}",
        )
    return int(text)


def max_concurrent_writes() -> int:
    """How many pushes and imports one server process runs at once."""
    return _whole_number("EVSENET_MAX_CONCURRENT_WRITES", DEFAULT_MAX_CONCURRENT_WRITES, "2", 64)


DEFAULT_HEADER_TIMEOUT_S = 10
DEFAULT_BODY_TIMEOUT_S = 30
DEFAULT_MAX_CONNECTIONS = 4096


def header_timeout_seconds() -> int:
    """Seconds a client has to send a request line and headers (`EVSENET_HEADER_TIMEOUT_S`)."""
    return _whole_number("EVSENET_HEADER_TIMEOUT_S", DEFAULT_HEADER_TIMEOUT_S, "10", 3600)


def body_timeout_seconds() -> int:
    """Seconds a body may pause before the connection is closed (`EVSENET_BODY_TIMEOUT_S`)."""
    return _whole_number("EVSENET_BODY_TIMEOUT_S", DEFAULT_BODY_TIMEOUT_S, "30", 3600)


def max_connections() -> int:
    """Open client connections one server process keeps (`EVSENET_MAX_CONNECTIONS`)."""
    return _whole_number("EVSENET_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, "4096", 1_000_000)
