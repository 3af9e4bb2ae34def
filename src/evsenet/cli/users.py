"""`evsenet users`: people who sign in to the web UI, each bound to one operator or one
provider."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from evsenet.cli.base import command_group, open_store
from evsenet.cli.output import CliProblem, note, say
from evsenet.services.users import add_party_user

users_app = command_group(
    "users",
    "Users of the web UI: each signs in with an e-mail and a password for one operator or "
    "one provider.",
)
OptionalOperator = Annotated[
    str | None, typer.Option("--operator", "-o", metavar="ID", help="Operator ID, e.g. DE*ABC")
]
ProviderOption = Annotated[
    str | None, typer.Option("--provider", "-p", metavar="ID", help="Provider ID, e.g. DE*ICE")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise CliProblem("request.invalid", "--password-stdin: standard input is empty")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliProblem(
            "request.invalid",
            "No terminal to ask the password on; pipe it in with --password-stdin",
        )
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(help="The e-mail address the user signs in with")],
    operator: OptionalOperator = None,
    provider: ProviderOption = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input instead of asking",
        ),
    ] = False,
) -> None:
    """Add a user who signs in to the web UI for an operator (--operator, registered when
    new) or for a registered provider (--provider; `evsenet providers add` first).

    The password (at least 10 characters) is asked twice on the terminal, or read from
    standard input with --password-stdin.
    """
    store = open_store(ctx)
    user, registered = add_party_user(
        store, email, _password(password_stdin), operator_id=operator, provider_id=provider
    )
    kind = "operator" if user.operator is not None else "provider"
    if registered:
        note(f"Operator {user.party.display} registered")
    say(f"User {user.email} added for {kind} {user.party.display}; sign in at /sign-in")
