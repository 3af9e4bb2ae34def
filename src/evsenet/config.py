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
