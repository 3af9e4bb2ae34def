"""Health, the OpenAPI document and the error mapping every path shares."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from evsenet.api import create_app
from evsenet.store.engine import SQLITE_BUSY_TIMEOUT_MS, Store
from evsenet.store.migrate import head_revision

if TYPE_CHECKING:
    from tests.api.conftest import Api


def test_health_answers_ok_without_a_token(api: Api) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "schema_revision": head_revision(api.store),
    }


@pytest.fixture
def outdated_store(store: Store) -> Iterator[Store]:
    """The store with its recorded schema revision set back; restored afterwards."""
    with store.engine.begin() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(text("UPDATE alembic_version SET version_num = 'behind'"))
    try:
        yield store
    finally:
        with store.engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision}
            )


def test_health_reports_an_outdated_schema(api: Api, outdated_store: Store) -> None:
    assert api.store is outdated_store
    body = api.problem(api.client.get("/health"), 503, "health.schema_outdated")
    assert "behind" in body["detail"]
    assert "upgrade" in body["detail"]


def test_health_reports_an_unreachable_database(api: Api, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'missing-folder' / 'evsenet.sqlite'}")
    try:
        with TestClient(create_app(store)) as client:
            response = client.get("/health")
    finally:
        store.dispose()
    api.problem(response, 503, "health.database_unavailable")


@contextmanager
def _schema_version_locked(store: Store) -> Iterator[None]:
    """Another connection holds the database (SQLite) or the schema version table
    (PostgreSQL) exclusively for the block."""
    if store.dialect == "sqlite":
        assert store.wal_path is not None
        path = str(store.wal_path)[: -len("-wal")]
        store.engine.dispose()  # an open WAL connection would keep the holder out
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("PRAGMA locking_mode=EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("UPDATE alembic_version SET version_num = version_num")
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with store.engine.connect() as connection, connection.begin():
        connection.execute(text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))
        yield


def test_health_reports_a_locked_database_as_busy_within_its_bound(api: Api) -> None:
    with _schema_version_locked(api.store):
        started = time.monotonic()
        response = api.client.get("/health")
        waited = time.monotonic() - started
    body = api.problem(response, 503, "health.database_busy")
    assert response.headers["retry-after"] == "5"
    assert "locked" in body["detail"]
    # Bounded by BUSY_TIMEOUT_MS, not by the store's 30-second busy timeout.
    assert waited < SQLITE_BUSY_TIMEOUT_MS / 1000 / 2
    assert api.client.get("/health").status_code == 200


def test_openapi_document_is_served_and_names_the_bearer_scheme(api: Api) -> None:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    assert {
        "/health",
        "/api/v1/operator",
        "/api/v1/evses",
        "/api/v1/evses/{evse_id}",
        "/api/v1/evses/push",
        "/api/v1/evses/import",
        "/api/oicp/evsepush/v23/operators/{operator_id}/data-records",
    } <= set(paths)
    schemes = document["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())
    push_body = paths["/api/v1/evses/push"]["post"]["requestBody"]["content"]
    assert "application/json" in push_body
    assert "text/csv" in paths["/api/v1/evses/import"]["post"]["requestBody"]["content"]
    evse = document["components"]["schemas"]["Evse"]
    assert list(evse["properties"])[:4] == ["evse_id", "location", "power_type", "output_kw"]
    assert evse["properties"]["output_kw"]["type"] == "string"


def test_unknown_path_and_wrong_method_are_problems(api: Api) -> None:
    api.problem(api.client.get("/api/v1/nothing-here"), 404, "route.not_found")
    body = api.problem(api.client.delete("/health"), 405, "method.not_allowed")
    assert "GET" in body["detail"]


def test_an_unexpected_error_is_logged_and_answered_without_internals(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """The 500 mapping itself, on a route added for this test: no real path gives a 5xx."""
    app = create_app(api.store)

    @app.get("/explode")
    def explode() -> None:
        raise RuntimeError("secret connection string postgres://user:pw@db")

    with (
        caplog.at_level(logging.ERROR, logger="evsenet.api"),
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        response = client.get("/explode")
    body = api.problem(response, 500, "internal.error")
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text
    assert body["detail"]
    assert any("secret connection string" in str(r.exc_info) for r in caplog.records)
