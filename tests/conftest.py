"""Shared fixtures: a migrated store on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from evsenet.store.engine import Store
from evsenet.store.migrate import upgrade
from evsenet.store.tables import metadata

ROOT = Path(__file__).resolve().parents[1]
PEER_DATA = ROOT.parent / "shared" / "peer-data"
POSTGRES_URL = os.environ.get("EVSENET_TEST_POSTGRES_URL")
POSTGRES_SKIP = (
    "PostgreSQL store tests skipped: set EVSENET_TEST_POSTGRES_URL "
    "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run them"
)


@pytest.fixture(scope="session")
def peer_data() -> Path:
    """The third-party data folder `../shared/peer-data` beside the project."""
    if not PEER_DATA.is_dir():
        pytest.skip(f"../shared/peer-data not found beside the project (looked in {PEER_DATA})")
    return PEER_DATA


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    store = Store(f"sqlite:///{path}")
    upgrade(store)
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return path


@contextmanager
def private_postgres_schema(prefix: str) -> Iterator[str]:
    """The URL of a new, empty schema in the test PostgreSQL database, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private, migrated schema in the test PostgreSQL database, dropped at the end."""
    with private_postgres_schema("evsenet_test") as url:
        store = Store(url)
        upgrade(store)
        store.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own that has never seen a migration, on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    with private_postgres_schema("evsenet_empty") as url:
        yield url


def empty_postgres_tables(store: Store) -> None:
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with store.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store: every store and service test runs on both databases."""
    if request.param == "sqlite":
        path = tmp_path / "evsenet.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        store = Store(f"sqlite:///{path}")
    else:
        store = Store(request.getfixturevalue("postgres_schema_url"))
        empty_postgres_tables(store)
    yield store
    store.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path, sqlite_template: Path) -> Iterator[Store]:
    """A migrated SQLite store, for tests about SQLite itself."""
    path = tmp_path / "evsenet.sqlite"
    shutil.copy(sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    yield store
    store.dispose()
