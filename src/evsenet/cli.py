"""The `evsenet` command line: serve, database upgrade, operators, tokens, EVSEs, demo.

Each command parses its arguments, calls one service and renders the result
(`evsenet.cli_output`). Exit codes: 0 done; 1 evsenet refused something (a rule, a
record, an unknown operator, an outdated database); 2 a usage or input error (a bad
option, a malformed operator ID, an unreadable file); 130 interrupted (Ctrl-C). Errors
are one line on stderr, `error [code]: message`, never a traceback; with --json they are
also a JSON object on stdout.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import uvicorn
from alembic.util import CommandError
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperGroup
from typer.exceptions import TyperException

from evsenet.api.app import create_app
from evsenet.cli_output import (
    INTERRUPTED,
    REFUSED,
    USAGE,
    CliProblem,
    describe_operator,
    exit_code_for,
    import_progress,
    interactive,
    note,
    print_error,
    print_evses,
    print_json_error,
    print_operators,
    print_summary,
    say,
)
from evsenet.config import max_body_bytes
from evsenet.demo import DEFAULT_SEED, demo_batch
from evsenet.domain.errors import DomainError
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import MAX_PAGE_SIZE, SORT_KEYS, Page, PushAction
from evsenet.formats import ParsedBatch
from evsenet.formats.files import FileFormat, guess_format, read_file
from evsenet.services.inventory import (
    ImportRefused,
    ImportSummary,
    evse_filter,
    import_evses,
    list_evses,
)
from evsenet.services.operators import (
    declare_sub_operators,
    list_operators,
    register_operator,
    withdraw_sub_operator,
)
from evsenet.services.schema import prepare_schema
from evsenet.services.tokens import create_token, revoke_token
from evsenet.store.engine import Store, shown_url
from evsenet.store.migrate import current_revision, head_revision, upgrade

DEMO_OPERATOR = "DE*DMO"
DEMO_EVSES = 1000


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
db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
operators_app = typer.Typer(
    help="Operators (CPOs or hubs): the tenants whose EVSEs evsenet holds.", no_args_is_help=True
)
sub_operators_app = typer.Typer(
    no_args_is_help=True,
    help=(
        "Sub-operator prefixes of a hub operator. A hub such as DE*ABC that pushes EVSEs "
        "for other operators declares their operator IDs as prefixes: after "
        "`evsenet operators sub-operators add DE*ABC DE*XYZ`, DE*ABC may push EVSEs whose "
        "IDs start with DE*XYZ (e.g. DE*XYZ*ETEST1). A prefix belongs to one hub at a time."
    ),
)
tokens_app = typer.Typer(help="API tokens of an operator (bearer tokens).", no_args_is_help=True)
evses_app = typer.Typer(help="The EVSE inventory: import files, list EVSEs.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(operators_app, name="operators")
operators_app.add_typer(sub_operators_app, name="sub-operators")
app.add_typer(tokens_app, name="tokens")
app.add_typer(evses_app, name="evses")


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


def _session(ctx: typer.Context) -> Session:
    session = ctx.find_root().obj
    assert isinstance(session, Session)
    return session


def open_store(ctx: typer.Context, *, initialise: bool = False) -> Store:
    """The session's store, its schema checked (and created when asked and empty)."""
    store = _session(ctx).store
    created = prepare_schema(store, create_if_empty=initialise)
    if created:
        note(created)
    return store


# --- serve and db ---------------------------------------------------------------------


def _address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}"


def check_address(host: str, port: int) -> None:
    """Refuse, as a usage error, an address the server could not listen on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise typer.BadParameter(
            f"cannot listen on {_address(host, port)}: {error.strerror or error}",
            param_hint="'--host' / '--port'",
        ) from None


def run_server(store: Store, host: str, port: int, workers: int) -> None:
    """Run uvicorn: in-process on `store`, or `workers` processes on the same database.

    uvicorn has logged why it could not start; its exit code becomes evsenet's 1.
    """
    try:
        if workers == 1:
            uvicorn.run(create_app(store), host=host, port=port)
            return
        os.environ["EVSENET_DATABASE_URL"] = store.url
        uvicorn.run(
            "evsenet.api.app:create_app", factory=True, host=host, port=port, workers=workers
        )
    except SystemExit as stopped:
        if stopped.code not in (None, 0):
            raise typer.Exit(REFUSED) from None
        raise


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Interface to listen on (0.0.0.0: every interface)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes, all on the same database")
    ] = 1,
) -> None:
    """Start the HTTP API (prints its URL, the health URL and the OpenAPI docs URL).

    An empty database gets its schema first; an outdated one is refused: run
    `evsenet db upgrade`. Settings from the environment are checked before it starts.
    """
    max_body_bytes()
    store = open_store(ctx, initialise=True)
    check_address(host, port)
    base = f"http://{_address(host, port)}"
    say(f"evsenet serving {base} on {shown_url(store.url)}")
    say(f"health: {base}/health")
    say(f"API docs: {base}/docs")
    run_server(store, host, port, workers)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database schema to the code's revision (head)."""
    store = _session(ctx).store
    before, head = current_revision(store), head_revision(store)
    if before == head:
        say(f"{shown_url(store.url)} is already at revision {head}; nothing to do")
        return
    upgrade(store)
    say(f"Upgraded {shown_url(store.url)}: {before or 'none'} → {current_revision(store)}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the revision the code needs."""
    store = _session(ctx).store
    current, head = current_revision(store), head_revision(store)
    state = "up to date" if current == head else "run `evsenet db upgrade`"
    say(f"{shown_url(store.url)}: revision {current or 'none'} (head {head}); {state}")


# --- operators and tokens -------------------------------------------------------------

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


@operators_app.command("add")
def operators_add(
    ctx: typer.Context,
    operator: OperatorArgument,
    name: Annotated[str, typer.Option(help="The operator's name")] = "",
    sub_operator: Annotated[
        list[str] | None,
        typer.Option(
            "--sub-operator",
            metavar="PREFIX",
            help="An operator ID this hub pushes EVSEs for (repeat the option for more)",
        ),
    ] = None,
) -> None:
    """Register an operator, optionally a hub with its sub-operators.

    A hub names the operators it pushes for with --sub-operator: `evsenet operators add
    DE*ABC --sub-operator DE*XYZ` lets DE*ABC push EVSEs whose IDs start with DE*XYZ.
    """
    row = register_operator(open_store(ctx), operator, name, sub_operator or [])
    say(f"Registered operator {describe_operator(row)}")


@operators_app.command("list")
def operators_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the registered operators and their sub-operator prefixes."""
    print_operators(list_operators(open_store(ctx)), as_json)


@sub_operators_app.command("add")
def sub_operators_add(
    ctx: typer.Context,
    operator: OperatorArgument,
    prefixes: Annotated[
        list[str], typer.Argument(metavar="PREFIX...", help="Operator IDs, e.g. DE*XYZ")
    ],
) -> None:
    """Let the hub ID push EVSEs whose IDs start with each PREFIX (e.g. DE*ABC DE*XYZ)."""
    row = declare_sub_operators(open_store(ctx), operator, prefixes)
    say(f"Operator {describe_operator(row)}")


@sub_operators_app.command("remove")
def sub_operators_remove(
    ctx: typer.Context,
    operator: OperatorArgument,
    prefix: Annotated[str, typer.Argument(metavar="PREFIX", help="Operator ID, e.g. DE*XYZ")],
) -> None:
    """Stop the hub ID pushing EVSEs under PREFIX; the EVSEs it pushed there are withdrawn."""
    row, withdrawn = withdraw_sub_operator(open_store(ctx), operator, prefix)
    say(f"Operator {describe_operator(row)}; withdrew {withdrawn} EVSE(s) under {prefix}")


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    operator: OperatorOption,
    label: Annotated[str, typer.Option(help="What the token is for")] = "",
) -> None:
    """Create an API token. It is printed on stdout once and never again: store it now."""
    token_id, token = create_token(open_store(ctx), operator, label)
    note(
        f"API token {token_id} of {OperatorId.parse(operator).display} created; it is shown "
        f"only now. Revoke it with `evsenet tokens revoke --operator {operator} {token_id}`."
    )
    say(token)


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context,
    operator: OperatorOption,
    token_id: Annotated[
        int,
        typer.Argument(
            metavar="TOKEN_ID", min=1, max=MAX_ID, help="The token's number, as `create` said"
        ),
    ],
) -> None:
    """Revoke one of the operator's API tokens; calls with it are refused from now on."""
    revoke_token(open_store(ctx), operator, token_id)
    say(f"Revoked API token {token_id} of {OperatorId.parse(operator).display}")


# --- EVSEs ----------------------------------------------------------------------------


def read_source(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CliProblem(
            "cli.file_unreadable", f"Cannot read {path}: {error.strerror or error}"
        ) from None


def run_import(
    store: Store, operator: OperatorId, batch: ParsedBatch, skip_invalid: bool, as_json: bool
) -> ImportSummary:
    """Import with a progress bar where a person watches; a refused batch's summary too.
    A new operator is registered with its first accepted import.

    Ctrl-C says whether anything was written (KeyboardInterrupt, with that message).
    """
    with import_progress(interactive(as_json)) as progress:
        try:
            summary = import_evses(
                store,
                operator.display,
                batch,
                skip_invalid=skip_invalid,
                progress=progress,
                register_operator=True,
            )
        except ImportRefused as refused:
            return refused.summary
        except KeyboardInterrupt:
            raise KeyboardInterrupt(progress.interruption(operator.display)) from None
    if summary.operator_registered:
        note(f"Registered new operator {operator.display}")
    return summary


def finish_import(summary: ImportSummary, as_json: bool, source: str) -> NoReturn:
    """Print the summary; exit 0 when every record was accepted, else 1."""
    print_summary(summary, as_json, source)
    raise typer.Exit(REFUSED if summary.rejected else 0)


@evses_app.command("import")
def evses_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="The file to import (UTF-8; JSON or CSV)"),
    ],
    operator: OperatorOption,
    format: Annotated[
        FileFormat | None,
        typer.Option(
            case_sensitive=False,
            help="oicp (eRoamingPushEvseData JSON), csv (evsenet's CSV), bnetza "
            "(Ladesäulenregister) or afdc (AFDC export); guessed from the file when left out",
        ),
    ] = None,
    action: Annotated[
        PushAction | None,
        typer.Option(
            case_sensitive=False,
            help="upsert (insert or update; the default), insert, update, delete, or "
            "fullLoad (the file is the whole inventory: EVSEs it leaves out are withdrawn). "
            "An OICP body names its own.",
        ),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            help="Write the valid records and report the others (exit code 1 all the same)"
        ),
    ] = False,
    time_zone: Annotated[
        str | None,
        typer.Option(
            metavar="TZ", help="IANA time zone of every AFDC station, e.g. America/Chicago"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import EVSEs from an OICP push (JSON), evsenet CSV, BNetzA register or AFDC export.

    All or nothing: one refused record refuses the file, unless --skip-invalid. --json
    prints {action, received, inserted, updated, unchanged, withdrawn, rejected,
    committed}; each rejected entry names its line or index, evse_id, field, code and
    message. Exit code 0 when every record was accepted, 1 when any was refused (with
    or without --skip-invalid), 2 for a usage or input error (an unreadable file, a
    file of another format). A new operator is registered on the way.
    """
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx)
    data = read_source(file)
    batch = read_file(data, format or guess_format(file.name, data), operator_id, action, time_zone)
    summary = run_import(store, operator_id, batch, skip_invalid, as_json)
    finish_import(summary, as_json, file.name)


def _text(help_text: str, metavar: str = "TEXT") -> Any:
    return typer.Option(metavar=metavar, help=help_text)


@evses_app.command("list")
def evses_list(
    ctx: typer.Context,
    operator: OperatorOption,
    q: Annotated[
        str | None, _text("Text the EVSE ID contains (the * separators do not matter)")
    ] = None,
    country: Annotated[str | None, _text("Country, e.g. DEU or DE", "CODE")] = None,
    city: Annotated[str | None, _text("City, the whole name (any letter case)")] = None,
    postal_code: Annotated[str | None, _text("Postal code, or its beginning")] = None,
    power_type: Annotated[str | None, _text("AC_1_PHASE, AC_3_PHASE or DC", "TYPE")] = None,
    min_output: Annotated[str | None, _text("Output of at least KW kilowatts", "KW")] = None,
    max_output: Annotated[str | None, _text("Output of at most KW kilowatts", "KW")] = None,
    include_withdrawn: Annotated[
        bool, typer.Option(help="Show withdrawn EVSEs too (status withdrawn)")
    ] = False,
    limit: Annotated[int, typer.Option(help=f"EVSEs per page, 1…{MAX_PAGE_SIZE}")] = 50,
    offset: Annotated[int, typer.Option(help="EVSEs to skip (the next page's offset)")] = 0,
    sort: Annotated[
        str, typer.Option(metavar="KEY", help=f"Sort by {', '.join(SORT_KEYS)}")
    ] = "evse_id",
    desc: Annotated[bool, typer.Option("--desc", help="Sort descending")] = False,
    as_json: JsonOption = False,
) -> None:
    """List an operator's EVSEs: ID, location, power type, output and status.

    Filters combine (all must match). --json prints {items, total, limit, offset}.
    """
    criteria = evse_filter(
        text=q,
        country=country,
        city=city,
        postal_code=postal_code,
        power_type=power_type,
        min_output_kw=min_output,
        max_output_kw=max_output,
        include_withdrawn=include_withdrawn,
    )
    page = Page(limit=limit, offset=offset, sort=sort, descending=desc)
    print_evses(list_evses(open_store(ctx), operator, criteria, page), as_json)


@app.command()
def demo(
    ctx: typer.Context,
    evses: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many EVSEs")] = DEMO_EVSES,
    operator: Annotated[
        str, typer.Option("--operator", "-o", metavar="ID", help="Operator ID, e.g. DE*ABC")
    ] = DEMO_OPERATOR,
    seed: Annotated[int, typer.Option(help="Same seed, same inventory")] = DEFAULT_SEED,
    as_json: JsonOption = False,
) -> None:
    """Load a realistic demo inventory for an operator (registered when new).

    Charging stations of 1–6 EVSEs in German, European and a few US cities: about 70% AC
    (3.7–22 kW), the rest DC (50–350 kW). The same operator, count and seed give the same
    inventory, so running it again changes nothing; a larger count adds stations. An
    empty database gets its schema first.
    """
    operator_id = OperatorId.parse(operator)
    store = open_store(ctx, initialise=True)
    batch = demo_batch(operator_id, evses, seed)
    summary = run_import(store, operator_id, batch, False, as_json)
    finish_import(summary, as_json, f"Demo inventory of {operator_id.display} (seed {seed})")


if __name__ == "__main__":
    app()
