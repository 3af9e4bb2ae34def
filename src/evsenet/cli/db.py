"""`evsenet db`: the database schema (Alembic migrations)."""

from __future__ import annotations

import typer

from evsenet.cli.base import command_group, session_of
from evsenet.cli.output import say
from evsenet.store.engine import shown_url
from evsenet.store.migrate import current_revision, head_revision, upgrade

db_app = command_group("db", "The database schema (Alembic migrations).")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database schema to the code's revision (head)."""
    store = session_of(ctx).store
    before, head = current_revision(store), head_revision(store)
    if before == head:
        say(f"{shown_url(store.url)} is already at revision {head}; nothing to do")
        return
    upgrade(store)
    say(f"Upgraded {shown_url(store.url)}: {before or 'none'} → {current_revision(store)}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the revision the code needs."""
    store = session_of(ctx).store
    current, head = current_revision(store), head_revision(store)
    state = "up to date" if current == head else "run `evsenet db upgrade`"
    say(f"{shown_url(store.url)}: revision {current or 'none'} (head {head}); {state}")
