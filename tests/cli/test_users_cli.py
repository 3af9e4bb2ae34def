"""`evsenet users add` and what `evsenet serve` says when no one can sign in yet."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import evsenet.cli.serve as cli_serve
from evsenet.cli import app
from evsenet.domain.ids import ProviderId
from evsenet.services.providers import register_provider
from evsenet.services.users import add_user, count_users, sign_in
from evsenet.store.engine import Store

PASSWORD = "correct horse battery"
runner = CliRunner()


def users_add(
    store: Store, *args: str, stdin: str | None = PASSWORD + "\n"
) -> tuple[int, str, str]:
    command = ["--database", store.url, "users", "add", "--operator", "DE*ABC", *args]
    result = runner.invoke(app, command, input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_a_user_added_with_the_password_on_stdin_can_sign_in(store: Store) -> None:
    code, out, err = users_add(store, "--email", "ops@abc.example", "--password-stdin")
    assert code == 0, err
    assert "User ops@abc.example added for operator DE*ABC" in out
    assert "Operator DE*ABC registered" in err
    assert sign_in(store, "ops@abc.example", PASSWORD).session.user.party.display == "DE*ABC"


@pytest.mark.parametrize(
    ("args", "stdin", "code", "error"),
    [
        pytest.param(["--password-stdin"], "short\n", 1, "user.password_too_short", id="short"),
        pytest.param(["--password-stdin"], "", 2, "request.invalid", id="empty-stdin"),
        pytest.param([], None, 2, "request.invalid", id="no-terminal-to-ask-on"),
    ],
)
def test_a_user_without_a_usable_password_is_refused(
    store: Store, args: list[str], stdin: str | None, code: int, error: str
) -> None:
    exit_code, _, err = users_add(store, "--email", "a@b.example", *args, stdin=stdin)
    assert exit_code == code
    assert f"error [{error}]" in err


def test_an_email_address_is_one_users(store: Store) -> None:
    add_user(store, "DE*ABC", "ops@abc.example", PASSWORD)
    code, _, err = users_add(store, "--email", "OPS@abc.example", "--password-stdin")
    assert code == 1
    assert "error [user.email_taken]" in err


def _add(store: Store, *args: str) -> tuple[int, str, str]:
    command = ["--database", store.url, "users", "add", *args, "--password-stdin"]
    result = runner.invoke(app, command, input=PASSWORD + "\n")
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_a_provider_user_is_added_for_a_registered_provider_and_signs_in_for_it(
    store: Store,
) -> None:
    register_provider(store, "DE*ICE", "Ice charging")
    code, out, err = _add(store, "--provider", "de-ice", "--email", "team@ice.example")
    assert code == 0, err
    assert "User team@ice.example added for provider DE*ICE" in out
    user = sign_in(store, "team@ice.example", PASSWORD).session.user
    assert user.provider == ProviderId.parse("DE*ICE")
    assert user.operator is None


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param([], "user.party_required", id="no-party"),
        pytest.param(
            ["--operator", "DE*ABC", "--provider", "DE*ICE"],
            "user.party_required",
            id="two-parties",
        ),
        pytest.param(["--provider", "FR*NEW"], "provider.unknown", id="unregistered-provider"),
        pytest.param(["--provider", "DE*IC"], "provider_id.malformed", id="malformed-provider"),
    ],
)
def test_a_user_acts_for_exactly_one_known_party(store: Store, args: list[str], error: str) -> None:
    register_provider(store, "DE*ICE", "Ice charging")
    code, _, err = _add(store, *args, "--email", "who@example.com")
    assert code != 0
    assert f"error [{error}]" in err
    assert count_users(store) == 0


def test_serve_names_the_command_that_adds_the_first_user(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_serve, "run_server", lambda *_args: None)
    first = runner.invoke(app, ["--database", store.url, "serve", "--port", "8765"])
    assert first.exit_code == 0, first.stderr
    opening = first.stdout.splitlines()[:2]
    assert any(cli_serve.FIRST_USER_COMMAND in line for line in opening), opening
    assert "web UI: http://127.0.0.1:8765/" in first.stdout
    add_user(store, "DE*ABC", "ops@abc.example", PASSWORD)
    again = runner.invoke(app, ["--database", store.url, "serve", "--port", "8765"])
    assert cli_serve.FIRST_USER_COMMAND not in again.stdout
