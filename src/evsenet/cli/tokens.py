"""`evsenet tokens`: API bearer tokens of an operator or a provider."""

from __future__ import annotations

from typing import Annotated

import typer

from evsenet.cli.base import MAX_ID, command_group, open_store
from evsenet.cli.output import note, say
from evsenet.domain.errors import DomainError
from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.services.providers import create_provider_token, revoke_provider_token
from evsenet.services.tokens import create_token, revoke_token

tokens_app = command_group("tokens", "API tokens of an operator or a provider (bearer tokens).")

OperatorOption = Annotated[
    str, typer.Option("--operator", "-o", metavar="ID", help="Operator ID, e.g. DE*ABC")
]
OptionalOperator = Annotated[
    str | None, typer.Option("--operator", "-o", metavar="ID", help="Operator ID, e.g. DE*ABC")
]
ProviderOption = Annotated[
    str | None, typer.Option("--provider", "-p", metavar="ID", help="Provider ID, e.g. DE*ICE")
]


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    operator: OptionalOperator = None,
    provider: ProviderOption = None,
    label: Annotated[str, typer.Option(help="What the token is for")] = "",
) -> None:
    """Create an API token of an operator (--operator) or a provider (--provider). It is
    printed on stdout once and never again: store it now."""
    if (operator is None) == (provider is None):
        raise DomainError(
            "token.party_required",
            "Name exactly one party: --operator ID or --provider ID",
        )
    if provider is not None:
        token_id, token = create_provider_token(open_store(ctx), provider, label)
        note(
            f"API token {token_id} of provider {ProviderId.parse(provider).display} created; "
            f"it is shown only now. Revoke it with `evsenet tokens revoke --provider "
            f"{provider} {token_id}`."
        )
    else:
        assert operator is not None
        token_id, token = create_token(open_store(ctx), operator, label)
        note(
            f"API token {token_id} of {OperatorId.parse(operator).display} created; it is "
            f"shown only now. Revoke it with `evsenet tokens revoke --operator {operator} "
            f"{token_id}`."
        )
    say(token)


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context,
    token_id: Annotated[
        int,
        typer.Argument(
            metavar="TOKEN_ID", min=1, max=MAX_ID, help="The token's number, as `create` said"
        ),
    ],
    operator: OptionalOperator = None,
    provider: ProviderOption = None,
) -> None:
    """Revoke an API token of the operator (--operator) or the provider (--provider);
    calls with it are refused from now on."""
    if (operator is None) == (provider is None):
        raise DomainError(
            "token.party_required",
            "Name exactly one party: --operator ID or --provider ID",
        )
    if provider is not None:
        revoke_provider_token(open_store(ctx), provider, token_id)
        say(f"Revoked API token {token_id} of provider {ProviderId.parse(provider).display}")
        return
    assert operator is not None
    revoke_token(open_store(ctx), operator, token_id)
    say(f"Revoked API token {token_id} of {OperatorId.parse(operator).display}")
