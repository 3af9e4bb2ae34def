"""`evsenet tokens`: API bearer tokens of an operator."""

from __future__ import annotations

from typing import Annotated

import typer

from evsenet.cli.base import MAX_ID, OperatorOption, command_group, open_store
from evsenet.cli.output import note, say
from evsenet.domain.ids import OperatorId
from evsenet.services.tokens import create_token, revoke_token

tokens_app = command_group("tokens", "API tokens of an operator (bearer tokens).")


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
