"""SQLite keeps what it answered "committed" through a power failure, and its WAL bounded."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import evsenet.store.engine as engine
from evsenet.domain.inventory import PushAction
from evsenet.formats.csv import read_evse_csv
from evsenet.services.inventory import import_evses
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store
from tests.api.conftest import csv_file, csv_row


def _import(store: Store, count: int) -> None:
    rows = (csv_row(f"DE*ABC*E{n}", city=f"Köln {'x' * 40} {n}") for n in range(count))
    batch = read_evse_csv(csv_file(*rows).decode(), PushAction.UPSERT)
    assert import_evses(store, "DE*ABC", batch).committed


def test_sqlite_syncs_every_commit_and_limits_its_journal(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        limit = connection.exec_driver_sql("PRAGMA journal_size_limit").scalar()
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert (synchronous, mode) == (2, "wal"), "2 is FULL"
    assert limit == engine.WAL_LIMIT_BYTES


def test_a_large_import_leaves_no_large_wal_behind(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "WAL_LIMIT_BYTES", 256 * 1024)
    path = tmp_path / "bounded.sqlite"
    shutil.copy(sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    try:
        register_operator(store, "DE*ABC", "ABC")
        _import(store, 5_000)
        wal = Path(f"{path}-wal")
        assert wal.stat().st_size <= 256 * 1024
        assert store.wal_path == wal
    finally:
        store.dispose()
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM evses").fetchone() == (5_000,)


def test_the_wal_is_left_as_it_is_while_a_reader_holds_a_snapshot(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The truncation never waits for (or breaks) a reader: the import commits all the same."""
    monkeypatch.setattr(engine, "WAL_LIMIT_BYTES", 64 * 1024)
    path = tmp_path / "busy.sqlite"
    shutil.copy(sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        register_operator(store, "DE*ABC", "ABC")
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM evses").fetchone()
        _import(store, 2_000)
        reader.execute("COMMIT")
    finally:
        reader.close()
        store.dispose()
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM evses").fetchone() == (2_000,)


def test_an_in_memory_or_postgres_store_has_no_wal_file() -> None:
    assert Store("sqlite://").wal_path is None
    assert Store("postgresql+psycopg://u@localhost/db").wal_path is None
