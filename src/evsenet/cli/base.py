"""What every `evsenet` command shares: the root app, error handling, the database session.

Each command parses its arguments, calls one service and renders the result
(`evsenet.cli.output`). Exit codes: 0 done; 1 evsenet refused something (a rule, a
record, an unknown operator, an outdated database); 2 a usage or input error (a bad
option, a malformed operator ID, an unreadable file); 130 interrupted (Ctrl-C). Errors
are one line on stderr, `error [code]: message`, never a traceback; with --json they are
also a JSON object on stdout.
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

import typer
from alembic.util import CommandError
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperGroup
from typer.exceptions import TyperException

from evsenet.cli.output import (
    INTERRUPTED,
    REFUSED,
    USAGE,
    CliProblem,
    exit_code_for,
    note,
    print_error,
    print_json_error,
)
from evsenet.domain.errors import DomainError
from evsenet.services.schema import prepare_schema
from evsenet.store.engine import Store

JSON_REQUESTED = "evsenet:json"
"""Key in the click context's shared `meta`: the command was asked for --json."""
MAX_ID = 2**63 - 1
"""The largest row number either database stores (a signed 64-bit integer)."""


class EvsenetGroup(TyperGroup):
    """Turns every error into one line on stderr and an exit code, never a traceback.

    Usage errors (a bad option, a missing argument) are `request.invalid`, exit code 2; a
    bug is `internal.error`, exit code 1; Ctrl-C is one line, exit code 130.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Any = None,
        **extra: Any,
    ) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as error:
            if isinstance(error, NoArgsIsHelpError):
                raise
            _fail(None, "request.invalid", _usage_message(error), USAGE)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, NoArgsIsHelpError):
            raise
        except UsageError as error:
            _fail(ctx, "request.invalid", _usage_message(error), USAGE)
        except CliProblem as problem:
            _fail(ctx, problem.code, problem.message, problem.exit_code)
        except DomainError as error:
            _fail(ctx, error.code, error.message, exit_code_for(error), error.field)
        except ArgumentError as error:
            _fail(ctx, "database.url", f"The database URL cannot be used: {error}", USAGE)
        except SQLAlchemyError as error:
            _fail(ctx, "database.error", _database_problem(error), REFUSED)
        except CommandError as error:
            _fail(ctx, "database.migration", str(error), REFUSED)
        except KeyboardInterrupt as interrupt:
            note(f"Interrupted: {interrupt}" if str(interrupt) else "Interrupted")
            raise typer.Exit(INTERRUPTED) from None
        except TyperException:
            raise
        except Exception as error:
            message = f"evsenet failed ({type(error).__name__}): {error}"
            _fail(ctx, "internal.error", message, REFUSED)


def _fail(ctx: Any, code: str, message: str, exit_code: int, field: str | None = None) -> NoReturn:
    if ctx is not None and ctx.meta.get(JSON_REQUESTED):
        print_json_error(code, message, field)
    print_error(code, message)
    raise typer.Exit(exit_code)


def _usage_message(error: UsageError) -> str:
    command = error.ctx.command_path if error.ctx is not None else "evsenet"
    return f"{error.format_message().rstrip('.')} (see `{command} --help`)"


def _database_problem(error: SQLAlchemyError) -> str:
    cause = error.orig if isinstance(error, DBAPIError) else error
    first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return f"The database failed: {first_line}"


def _remember_json(ctx: typer.Context, value: bool) -> bool:
    """Note --json for the error handler before any other option can fail."""
    ctx.meta[JSON_REQUESTED] = value
    return value


app = typer.Typer(
    cls=EvsenetGroup,
    name="evsenet",
    help="Structure and price EV charging networks: EVSEs, networks, groups and offers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def command_group(name: str, help_text: str, parent: typer.Typer | None = None) -> typer.Typer:
    """A command group (`evsenet NAME …`) added to `parent` (the root app by default)."""
    group = typer.Typer(help=help_text, no_args_is_help=True)
    (parent or app).add_typer(group, name=name)
    return group


class Session:
    """The database the command works on, opened on first use and closed at the end."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = connect(self.url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()


def connect(url: str | None) -> Store:
    """The store for `url` (or the environment's): an unusable URL is a usage error."""
    try:
        return Store(url)
    except (ArgumentError, ValueError) as error:
        raise CliProblem("database.url", f"The database URL cannot be used: {error}") from None
    except ImportError as error:
        raise CliProblem(
            "database.url",
            f"The database URL names a driver that is not installed: {error}",
        ) from None
    except OSError as error:
        raise CliProblem(
            "database.error",
            f"Cannot create the folder of the SQLite database {error.filename}: "
            f"{error.strerror or error}",
            REFUSED,
        ) from None


@app.callback()
def main(
    ctx: typer.Context,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            metavar="URL",
            help="SQLAlchemy database URL, e.g. postgresql+psycopg://user@host/db. "
            "Default: EVSENET_DATABASE_URL, else the SQLite file EVSENET_DATABASE_PATH "
            "(data/evsenet.sqlite).",
        ),
    ] = None,
) -> None:
    """evsenet: EVSE networks and Next Generation Pricing for charge point operators."""
    session = Session(database)
    ctx.obj = session
    ctx.call_on_close(session.close)


def session_of(ctx: typer.Context) -> Session:
    session = ctx.find_root().obj
    assert isinstance(session, Session)
    return session


def open_store(ctx: typer.Context, *, initialise: bool = False) -> Store:
    """The session's store, its schema checked (and created when asked and empty)."""
    store = session_of(ctx).store
    created = prepare_schema(store, create_if_empty=initialise)
    if created:
        note(created)
    return store


OperatorArgument = Annotated[str, typer.Argument(metavar="ID", help="Operator ID, e.g. DE*ABC")]
OperatorOption = Annotated[
    str, typer.Option("--operator", "-o", metavar="ID", help="Operator ID, e.g. DE*ABC")
]
JsonOption = Annotated[
    bool,
    typer.Option(
        "--json",
        help='Print one JSON object on stdout (an error too: {"error": {code, message, field}})',
        callback=_remember_json,
        is_eager=True,
    ),
]
