# ruff: noqa: E501
"""`evsenet providers` and provider tokens on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from evsenet.services.providers import identify_provider
from evsenet.services.tokens import authenticate
from evsenet.store.engine import Store
from tests.cli.test_cli import Cli
from tests.cli.test_cli import cli as cli  # the fixture


def test_a_provider_is_registered_listed_and_given_a_token(cli: Cli, store: Store) -> None:
    assert cli("providers", "add", "de-ice", "--name", "Ice charging").stdout.strip() == (
        "Registered provider DE*ICE (Ice charging)"
    )
    assert cli.json("providers", "list") == [{"provider_id": "DE*ICE", "name": "Ice charging"}]
    created = cli("tokens", "create", "--provider", "DE*ICE", "--label", "backend")
    token = created.stdout.strip()
    assert token.startswith("evn_")
    found = identify_provider(store, token)
    assert found is not None
    assert found.provider.display == "DE*ICE"
    assert authenticate(store, token) is None


@pytest.mark.parametrize(
    ("args", "code", "exit_code"),
    [
        pytest.param(("providers", "add", "DE*ICE"), "provider.exists", 1, id="twice-in-another-spelling"),
        pytest.param(("providers", "add", "D*ICE"), "provider_id.malformed", 2, id="malformed-id"),
        pytest.param(("tokens", "create"), "token.party_required", 1, id="token-without-party"),
        pytest.param(("tokens", "create", "--operator", "DE*ABC", "--provider", "DE*ICE"), "token.party_required", 1, id="token-for-two-parties"),
        pytest.param(("tokens", "create", "--provider", "FR*EMP"), "provider.unknown", 1, id="token-for-an-unknown-provider"),
    ],
)  # fmt: skip
def test_bad_provider_commands_are_refused_with_their_code(
    cli: Cli, args: tuple[str, ...], code: str, exit_code: int
) -> None:
    cli("providers", "add", "DE-ICE")
    assert f"[{code}]" in cli.error(*args, code=exit_code)
