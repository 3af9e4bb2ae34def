"""Assignments reference their EVSE and group through statement-level checks, not foreign
keys.

A foreign key is checked row by row: on PostgreSQL each new assignment ran two lookups
that also lock the referenced rows (`FOR KEY SHARE`, a WAL record per EVSE locked), which
was 0.89 s of a 1.7 s bulk assignment of 100,000 EVSEs at 1,000,000. The same rules now
hold through triggers:

- an assignment's EVSE exists, and its group exists in the assignment's network (checked
  once per INSERT or UPDATE statement on PostgreSQL, over its transition table; the
  groups named are locked `FOR KEY SHARE`, as the foreign key did, so that a group deleted
  at the same time either waits for the assignment or makes it fail);
- deleting an EVSE or a group deletes its assignments (the cascade). An EVSE deleted on
  PostgreSQL first locks `assignments` against concurrent writers (SHARE ROW EXCLUSIVE),
  since the check does not lock the EVSE rows: a write that checked before the delete has
  committed by the time the cascade runs. Nothing deletes EVSEs today (a withdrawn one
  keeps its row); operators are never deleted either.

SQLite gets the same rules as row triggers (one writer at a time: no race to close). The
surrogate keys they refer to (`evses.id`, `evse_groups.id`) are never updated. A violation
raises SQLSTATE 23503 (PostgreSQL) or SQLITE_CONSTRAINT: an IntegrityError either way, as
the foreign keys raised.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVSE_FK = "fk_assignments_evse_pk_evses"
GROUP_FK = "fk_assignments_group_pk_evse_groups"


def _postgresql_cascade(table: str, column: str, first: str) -> tuple[str, str]:
    """A function and statement-level trigger that delete the assignments of the rows
    deleted from `table` (`column` refers to them), after `first`."""
    function = f"{table}_delete_assignments"
    return (
        f"""
        CREATE FUNCTION {function}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            {first}
            DELETE FROM assignments a USING deleted_rows d WHERE a.{column} = d.id;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER {table}_deleted_delete_assignments AFTER DELETE ON {table}
        REFERENCING OLD TABLE AS deleted_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {function}()
        """,
    )


POSTGRESQL_UP: tuple[str, ...] = (
    """
    CREATE FUNCTION assignments_check_references() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        missing bigint;
    BEGIN
        SELECT a.evse_pk INTO missing FROM written_assignments a
        WHERE NOT EXISTS (SELECT FROM evses e WHERE e.id = a.evse_pk) LIMIT 1;
        IF FOUND THEN
            RAISE foreign_key_violation USING
                CONSTRAINT = 'fk_assignments_evse_pk_evses',
                MESSAGE = format('assignments: no EVSE with id %s', missing);
        END IF;
        SELECT a.group_pk INTO missing
        FROM (SELECT DISTINCT group_pk, network_pk FROM written_assignments) a
        WHERE NOT EXISTS (
            SELECT FROM evse_groups g
            WHERE g.id = a.group_pk AND g.network_pk = a.network_pk
            FOR KEY SHARE
        ) LIMIT 1;
        IF FOUND THEN
            RAISE foreign_key_violation USING
                CONSTRAINT = 'fk_assignments_group_pk_evse_groups',
                MESSAGE = format('assignments: no group %s in the network named', missing);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER assignments_inserted_check_references AFTER INSERT ON assignments
    REFERENCING NEW TABLE AS written_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION assignments_check_references()
    """,
    """
    CREATE TRIGGER assignments_updated_check_references AFTER UPDATE ON assignments
    REFERENCING NEW TABLE AS written_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION assignments_check_references()
    """,
    *_postgresql_cascade("evses", "evse_pk", "LOCK TABLE assignments IN SHARE ROW EXCLUSIVE MODE;"),
    *_postgresql_cascade("evse_groups", "group_pk", ""),
)
POSTGRESQL_DOWN = (
    "DROP TRIGGER evse_groups_deleted_delete_assignments ON evse_groups",
    "DROP FUNCTION evse_groups_delete_assignments()",
    "DROP TRIGGER evses_deleted_delete_assignments ON evses",
    "DROP FUNCTION evses_delete_assignments()",
    "DROP TRIGGER assignments_updated_check_references ON assignments",
    "DROP TRIGGER assignments_inserted_check_references ON assignments",
    "DROP FUNCTION assignments_check_references()",
)

_SQLITE_MISSING = """
    NOT EXISTS (SELECT 1 FROM evses WHERE id = NEW.evse_pk)
    OR NOT EXISTS (
        SELECT 1 FROM evse_groups WHERE id = NEW.group_pk AND network_pk = NEW.network_pk
    )
"""
_SQLITE_REFUSE = "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END"
SQLITE_UP: tuple[str, ...] = (
    f"""
    CREATE TRIGGER assignments_inserted_check_references BEFORE INSERT ON assignments
    WHEN {_SQLITE_MISSING} {_SQLITE_REFUSE}
    """,
    f"""
    CREATE TRIGGER assignments_updated_check_references
    BEFORE UPDATE OF evse_pk, group_pk, network_pk ON assignments
    WHEN {_SQLITE_MISSING} {_SQLITE_REFUSE}
    """,
    """
    CREATE TRIGGER evses_deleted_delete_assignments AFTER DELETE ON evses
    BEGIN DELETE FROM assignments WHERE evse_pk = OLD.id; END
    """,
    """
    CREATE TRIGGER evse_groups_deleted_delete_assignments AFTER DELETE ON evse_groups
    BEGIN DELETE FROM assignments WHERE group_pk = OLD.id; END
    """,
)
SQLITE_DOWN = (
    "DROP TRIGGER evse_groups_deleted_delete_assignments",
    "DROP TRIGGER evses_deleted_delete_assignments",
    "DROP TRIGGER assignments_updated_check_references",
    "DROP TRIGGER assignments_inserted_check_references",
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgresql():
        op.drop_constraint(EVSE_FK, "assignments", type_="foreignkey")
        op.drop_constraint(GROUP_FK, "assignments", type_="foreignkey")
        statements = POSTGRESQL_UP
    else:
        # SQLite drops a constraint by rebuilding the table (nothing refers to it).
        with op.batch_alter_table("assignments", recreate="always") as batch:
            batch.drop_constraint(EVSE_FK, type_="foreignkey")
            batch.drop_constraint(GROUP_FK, type_="foreignkey")
        statements = SQLITE_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    for statement in POSTGRESQL_DOWN if _postgresql() else SQLITE_DOWN:
        op.execute(statement)
    with op.batch_alter_table("assignments") as batch:
        batch.create_foreign_key(EVSE_FK, "evses", ["evse_pk"], ["id"], ondelete="CASCADE")
        batch.create_foreign_key(
            GROUP_FK,
            "evse_groups",
            ["group_pk", "network_pk"],
            ["id", "network_pk"],
            ondelete="CASCADE",
        )
