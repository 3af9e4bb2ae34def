# ruff: noqa: E501
"""`evsenet offers` on SQLite and PostgreSQL: create (draft or published), list, show,
review, publish with the zero-priced acknowledgement, price versions; every refusal with
its code and exit code, writing nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from evsenet.store.engine import Store
from tests.cli.test_cli import Cli
from tests.integration.network_fixtures import A, B, seed
from tests.integration.offer_fixtures import Net, body, network
from tests.integration.snapshots import dump

UNLIMITED = "create_unlimited_offer_to_all.json"


def _start(days: int) -> str:
    """A start `days` ahead of the real clock (the CLI reads the system's time)."""
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def net(store: Store) -> Net:
    seed(store, count=10)
    return network(store)


@pytest.fixture
def cli(store: Store) -> Cli:
    return Cli(store.url)


def write(tmp_path: Path, name: str, data: dict[str, Any] | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data, default=float).encode())
    return str(path)


def offer_file(tmp_path: Path, net: Net, name: str = UNLIMITED, **changes: Any) -> str:
    data = body(name, net, validFrom=_start(30))
    if data.get("unlimited") is False:
        data["validTo"] = _start(300)
    data.update(changes)
    return write(tmp_path, "offer.json", data)


def update_file(tmp_path: Path, net: Net, days: int) -> str:
    return write(tmp_path, "update.json", body("update_prices.json", net, updateDate=_start(days)))


def test_a_draft_is_reviewed_published_and_gets_a_price_version(
    cli: Cli, net: Net, tmp_path: Path
) -> None:
    draft = cli.json("offers", "create", offer_file(tmp_path, net), "--operator", A)
    assert (draft["status"], draft["network_name"]) == ("draft", "Berlin")
    offer = str(draft["id"])
    listed = cli.json("offers", "list", "--operator", A)["items"]
    assert [o["id"] for o in listed] == [draft["id"]]
    review = cli.json("offers", "review", offer, "--operator", A)
    assert (review["publishable"], review["zero_priced_count"]) == (True, 3)
    assert "3 EVSE(s) in no group" in cli("offers", "review", offer, "--operator", A).stdout
    error = cli.error("offers", "publish", offer, "--operator", A, code=1)
    assert "[offer.zero_priced_unacknowledged]" in error
    published = cli.json(
        "offers", "publish", offer, "--operator", A, "--acknowledge-zero-priced", "3"
    )
    assert published["status"] == "pending"
    shown = cli("offers", "show", offer, "--operator", A).stdout
    assert "tariff Night (EUR): CHARGING_ENERGY 0.4499/KILOWATT_HOUR" in shown
    early = cli.error(
        "offers", "update-prices", offer, update_file(tmp_path, net, 40), "--operator", A, code=1
    )
    assert "[offer.version_inside_lead_time]" in early
    version = cli.json(
        "offers", "update-prices", offer, update_file(tmp_path, net, 60), "--operator", A
    )
    assert (version["version"], version["previous_offer_id"]) == (2, draft["id"])


def test_create_with_publish_needs_the_acknowledgement(cli: Cli, net: Net, tmp_path: Path) -> None:
    path = offer_file(tmp_path, net)
    cli.error("offers", "create", path, "--operator", A, "--publish", code=1)
    created = cli.json(
        "offers", "create", path, "--operator", A, "--publish", "--acknowledge-zero-priced", "3"
    )
    assert created["status"] == "pending"


CASES: list[tuple[str, Any, int, str]] = [
    ("file-missing", lambda p, n: ["offers", "create", str(p / "nope.json"), "--operator", A], 2, "cli.file_unreadable"),
    ("not-json", lambda p, n: ["offers", "create", write(p, "x.json", b"{oops"), "--operator", A], 2, "json.body.malformed"),
    ("start-in-the-past", lambda p, n: ["offers", "create", offer_file(p, n, validFrom="2020-01-01T00:00:00Z"), "--operator", A], 2, "offer.valid_from_past"),
    ("limited-two-years-and-more", lambda p, n: ["offers", "create", offer_file(p, n, "create_limited_bilateral.json", validTo=_start(30 + 800)), "--operator", A], 2, "offer.valid_to_too_far"),
    ("negative-cost", lambda p, n: ["offers", "create", offer_file(p, n, tariffs=[{"name": "Day", "currency": "EUR", "pricingComponents": [{"type": "SESSION", "referenceUnit": "NONE", "cost": -1}]}]), "--operator", A], 2, "tariff.cost_negative"),
    ("network-of-another-operator", lambda p, n: ["offers", "create", offer_file(p, n), "--operator", B], 1, "network.not_found"),
    ("publish-with-a-gap", lambda p, n: ["offers", "create", offer_file(p, n, "refused/create_gap_in_the_schedule.json"), "--operator", A, "--publish", "--acknowledge-zero-priced", "3"], 1, "schedule.gap"),
    ("stale-acknowledgement", lambda p, n: ["offers", "create", offer_file(p, n), "--operator", A, "--publish", "--acknowledge-zero-priced", "2"], 1, "offer.zero_priced_count_stale"),
    ("negative-acknowledgement", lambda p, n: ["offers", "publish", "1", "--operator", A, "--acknowledge-zero-priced", "-1"], 2, "request.invalid"),
    ("unknown-offer", lambda p, n: ["offers", "show", "999", "--operator", A], 1, "offer.not_found"),
    ("malformed-operator", lambda p, n: ["offers", "list", "--operator", "nope"], 2, "operator_id.malformed"),
    ("update-without-date", lambda p, n: ["offers", "update-prices", "1", write(p, "u.json", {k: v for k, v in body("update_prices.json", n).items() if k != "updateDate"}), "--operator", A], 2, "json.field.missing"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "error"), [pytest.param(a, c, e, id=name) for name, a, c, e in CASES]
)
def test_a_bad_offer_command_is_refused_and_writes_nothing(
    cli: Cli, net: Net, store: Store, tmp_path: Path, args: Any, code: int, error: str
) -> None:
    command = args(tmp_path, net)
    before = dump(store)
    result = cli(*command, "--json", code=code)
    answer = json.loads(result.stdout)["error"]
    codes = {answer["code"], *(p["code"] for p in answer.get("problems", []))}
    assert error in codes, result.stdout
    assert f"[{answer['code']}]" in result.stderr or f"[{error}]" in result.stderr
    assert dump(store) == before
