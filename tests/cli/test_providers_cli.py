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
    cli("operators", "add", "DE*ABC")
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
    token_id = created.stderr.split("API token ")[1].split()[0]
    assert "token.not_found" in cli.error(
        "tokens", "revoke", "--operator", "DE*ABC", token_id, code=1
    )
    assert "Revoked" in cli("tokens", "revoke", "--provider", "DE*ICE", token_id).stdout
    assert identify_provider(store, token) is None


@pytest.mark.parametrize(
    ("args", "code", "exit_code"),
    [
        pytest.param(("providers", "add", "DE*ICE"), "provider.exists", 1, id="twice-in-another-spelling"),
        pytest.param(("providers", "add", "D*ICE"), "provider_id.malformed", 2, id="malformed-id"),
        pytest.param(("tokens", "create"), "token.party_required", 1, id="token-without-party"),
        pytest.param(("tokens", "create", "--operator", "DE*ABC", "--provider", "DE*ICE"), "token.party_required", 1, id="token-for-two-parties"),
        pytest.param(("tokens", "create", "--provider", "FR*EMP"), "provider.unknown", 1, id="token-for-an-unknown-provider"),
        pytest.param(("tokens", "revoke", "1"), "token.party_required", 1, id="revoke-without-party"),
        pytest.param(("tokens", "revoke", "--provider", "DE*ICE", "1"), "token.not_found", 1, id="revoke-an-unknown-token"),
    ],
)  # fmt: skip
def test_bad_provider_commands_are_refused_with_their_code(
    cli: Cli, args: tuple[str, ...], code: str, exit_code: int
) -> None:
    cli("providers", "add", "DE-ICE")
    cli("operators", "add", "DE*ABC")
    assert f"[{code}]" in cli.error(*args, code=exit_code)
