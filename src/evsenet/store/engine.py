"""Engines and the unit of work. SQLite runs in WAL mode with foreign keys on.

SQLite durability: `synchronous=FULL`, so that a transaction reported committed survives
a power failure or an operating-system crash, not only a crash of the process (NORMAL
in WAL mode may lose the last commits on power loss). The WAL file stays bounded: SQLite
checkpoints it after commits (every 1,000 pages), `journal_size_limit` truncates it to
`WAL_LIMIT_BYTES` when it is reset, and after a write transaction that left it larger
(a 100,000-record import writes ~100 MB to it) the store checkpoints and truncates it at
once when no reader or writer is in the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from evsenet.config import database_url
from evsenet.store.count_cache import CountCache

SQLITE_BUSY_TIMEOUT_MS = 30_000
WAL_LIMIT_BYTES = 64 * 1024 * 1024
"""The size the WAL file is truncated to when SQLite resets it."""


def shown_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and write-intent transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA temp_store=MEMORY")  # bulk requests stage EVSEs in temp tables
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("evsenet_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _truncate_large_wal(connection: Connection, wal: Path) -> None:
    """Checkpoint and truncate the WAL when a write left it over WAL_LIMIT_BYTES.

    Tried without waiting (busy_timeout 0): when a reader or writer is in the way, the
    automatic checkpoints and `journal_size_limit` bound the file a little later.
    """
    try:
        if wal.stat().st_size <= WAL_LIMIT_BYTES:
            return
    except FileNotFoundError:
        return
    # On the driver's connection (autocommit): a checkpoint cannot run inside a transaction.
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA busy_timeout=0")
    try:
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


class Store:
    """The database behind evsenet: hands out transactions, and keeps this process's
    cache of list totals for this database (`count_cache.py`)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        self.engine = make_engine(self.url)
        self.counts = CountCache()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any error.

        `write=True` takes SQLite's write lock at the start, so that a transaction that
        reads and then writes cannot lose a race to another writer halfway.
        """
        with self.engine.connect() as connection:
            connection = connection.execution_options(evsenet_write=write)
            with connection.begin():
                yield connection
            if write and self.wal_path is not None:
                _truncate_large_wal(connection, self.wal_path)

    @property
    def wal_path(self) -> Path | None:
        """The SQLite file's write-ahead log; None for other databases and in-memory ones."""
        url = make_url(self.url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(f"{url.database}-wal")

    def dispose(self) -> None:
        self.engine.dispose()
