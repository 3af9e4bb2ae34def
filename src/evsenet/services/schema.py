"""The database schema: whether it is the one this code needs, and creating it when empty.

Upgrading a database that holds data is the administrator's decision (`evsenet db
upgrade`, after a backup); only an empty database is given its schema on the way.
"""

from __future__ import annotations

from evsenet.domain.errors import DomainError
from evsenet.store.engine import Store, shown_url
from evsenet.store.migrate import current_revision, head_revision, knows_revision, upgrade


def prepare_schema(store: Store, *, create_if_empty: bool = False) -> str | None:
    """Check the schema is at the code's revision; a note when it was just created.

    Raises DomainError `database.empty` (no schema and `create_if_empty` unset) or
    `database.schema_outdated` (an older revision, or one this code does not know).
    """
    current, head = current_revision(store), head_revision(store)
    if current == head:
        return None
    where = shown_url(store.url)
    if current is None:
        if not create_if_empty:
            raise DomainError(
                "database.empty",
                f"The database {where} has no evsenet schema yet; run `evsenet db upgrade`",
            )
        upgrade(store)
        return f"Created the evsenet database schema (revision {head}) in {where}"
    raise DomainError("database.schema_outdated", _outdated(store, current, head))


def _outdated(store: Store, current: str, head: str | None) -> str:
    if knows_revision(store, current):
        return (
            f"The database schema is at revision {current}, this evsenet needs {head}; "
            "back up the database and run `evsenet db upgrade`"
        )
    return (
        f"The database schema is at revision {current}, which this evsenet (at {head}) "
        "does not know: a newer evsenet upgraded it; run that version"
    )
