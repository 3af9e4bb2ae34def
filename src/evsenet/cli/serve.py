"""`evsenet serve`: the HTTP API (and UI) on the session's database."""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer
import uvicorn

from evsenet.api.app import create_app
from evsenet.api.import_workers import WORKERS
from evsenet.api.server import connection_limits
from evsenet.cli.base import app, open_store
from evsenet.cli.output import REFUSED, say
from evsenet.config import max_body_bytes, max_concurrent_writes
from evsenet.services.users import count_users
from evsenet.store.engine import Store, shown_url

FIRST_USER_COMMAND = "evsenet users add --operator 'DE*ABC' --email you@example.com"
"""What `serve` tells on a database with no user (a new operator ID is registered)."""


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


KEEP_ALIVE_SECONDS = 5
"""How long an idle keep-alive connection stays open between requests."""
GUARDED_HTTP = "evsenet.api.server:GuardedHttpTools"
"""uvicorn's protocol with evsenet's deadlines, named by import string: worker processes
given the class itself fail uvicorn's health checks and are restarted in a loop."""


def run_server(store: Store, host: str, port: int, workers: int) -> None:
    """Run uvicorn: in-process on `store`, or `workers` processes on the same database,
    with the deadlines and the connection cap of `GuardedHttpTools`. In-process, the
    import worker processes (`api/import_workers.py`) are started first.

    uvicorn has logged why it could not start; its exit code becomes evsenet's 1.
    """
    try:
        if workers == 1:
            WORKERS.start()
            uvicorn.run(
                create_app(store),
                host=host,
                port=port,
                http=GUARDED_HTTP,
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
            )
            return
        os.environ["EVSENET_DATABASE_URL"] = store.url
        uvicorn.run(
            "evsenet.api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            http=GUARDED_HTTP,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
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
    """Start the web UI and the HTTP API (prints their URLs; on a database with no user, first
    the command that adds one).

    An empty database gets its schema first; an outdated one is refused: run
    `evsenet db upgrade`. Settings from the environment are checked before it starts.
    """
    max_body_bytes()
    max_concurrent_writes()
    limits = connection_limits()
    store = open_store(ctx, initialise=True)
    check_address(host, port)
    base = f"http://{_address(host, port)}"
    say(f"evsenet serving {base} on {shown_url(store.url)}")
    if count_users(store) == 0:
        say(f"No one can sign in yet. Create the first user: {FIRST_USER_COMMAND}")
    say(f"web UI: {base}/")
    say(f"health: {base}/health")
    say(f"API docs: {base}/docs")
    say(
        f"limits: request headers within {limits.header_timeout:g} s, body pauses up to "
        f"{limits.body_timeout:g} s, {limits.max_connections} connections, "
        f"{max_concurrent_writes()} pushes or imports at once"
    )
    run_server(store, host, port, workers)
