"""Where evsenet keeps its data. Environment variables override the defaults."""

from __future__ import annotations

import os
from pathlib import Path

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
