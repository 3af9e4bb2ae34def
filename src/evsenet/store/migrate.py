"""Schema migrations (Alembic), run from Python: `evsenet db upgrade`, tests, `serve`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from evsenet.store.engine import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(store: Store) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    return config


def head_revision(store: Store) -> str | None:
    """The revision this code's migrations end at (the same for every store)."""
    del store
    return _code_head()


@cache
def _code_head() -> str | None:
    """Read once per process: Alembic loads every migration file to find the head, which
    `GET /health` would otherwise do on every call."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def knows_revision(store: Store, revision: str) -> bool:
    """Whether `revision` is one of this code's migrations."""
    try:
        return ScriptDirectory.from_config(alembic_config(store)).get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(store: Store, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction (PostgreSQL: DDL included)."""
    config = alembic_config(store)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def is_current(store: Store) -> bool:
    return current_revision(store) == head_revision(store)
