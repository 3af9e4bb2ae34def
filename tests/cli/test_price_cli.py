"""`evsenet price FILE` on SQLite and PostgreSQL: JSON Lines, CSV and OICP 2.3 CDRs in,
one answer per session out (a price or a problem), in the file's order."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from evsenet.services import offers as offer_svc
from evsenet.store.engine import Store
from tests.cli.test_cli import Cli
from tests.integration.mixed_sessions import mixed_sessions, publish_kernel_offer, without_lines
from tests.integration.network_fixtures import ACTOR, A, seed
from tests.integration.offer_fixtures import NOW, Net, network, request

D = Decimal
SESSION: dict[str, Any] = {
    "id": "s-1",
    "evse_id": "DE*ABC*E1",
    "provider_id": "DE*EMP",
    "session_start": "2027-01-05T21:00:00+01:00",
    "session_end": "2027-01-05T23:00:00+01:00",
    "charging_start": "2027-01-05T21:00:00+01:00",
    "charging_end": "2027-01-05T22:30:00+01:00",
    "energy_kwh": 30,
}
OICP_CDR: dict[str, Any] = {
    "SessionID": "oicp-1",
    "CPOPartnerSessionID": "1234XYZ",
    "EvseID": "DE*ABC*E1",
    "HubOperatorID": "DE*ABC",
    "HubProviderID": "DE-DCB",
    "SessionStart": "2027-01-05T20:00:00Z",
    "SessionEnd": "2027-01-05T22:00:00Z",
    "ChargingStart": "2027-01-05T20:00:00Z",
    "ChargingEnd": "2027-01-05T21:30:00Z",
    "ConsumedEnergy": 30,
    "MeterValueStart": 0,
    "MeterValueEnd": 30,
    "PartnerProductID": "AC 1",
    "Identification": {"RemoteIdentification": {"EvcoID": "DE-DCB-C12345678-X"}},
}


@pytest.fixture
def net(store: Store) -> Net:
    """Operator A's network with the unlimited offer to all published on it."""
    seed(store, count=10)
    net = network(store)
    offer_svc.create_and_publish(
        store,
        A,
        request("create_unlimited_offer_to_all.json", net),
        acknowledge_zero_priced=3,
        actor=ACTOR,
        now=NOW,
    )
    return net


@pytest.fixture
def cli(store: Store, net: Net) -> Cli:
    return Cli(store.url)


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line, parse_float=Decimal) for line in output.splitlines()]


def test_a_json_lines_file_is_priced_line_by_line(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "sessions.jsonl"
    bad = SESSION | {"id": "s-2", "evse_id": "DE*ABC*E404"}
    file.write_text("\n".join([json.dumps(SESSION), "", json.dumps(bad), "{"]) + "\n")
    result = cli("price", str(file), "--operator", A, "--json", code=1)
    answers = lines(result.stdout)
    assert [a["line"] for a in answers] == [1, 3, 4]
    assert answers[0]["price"]["total"] == {"excl_vat": D("16.65"), "incl_vat": D("19.81")}
    assert answers[1]["problem"]["code"] == "evse.not_found"
    assert answers[2]["problem"]["code"] == "json.body.malformed"


def test_a_csv_file_prices_like_json(cli: Cli, tmp_path: Path) -> None:
    columns = list(SESSION)
    file = tmp_path / "sessions.csv"
    file.write_text(",".join(columns) + "\n" + ",".join(str(SESSION[c]) for c in columns) + "\n")
    answers = lines(cli("price", str(file), "--operator", A, "--json").stdout)
    assert answers[0]["line"] == 2
    assert answers[0]["price"]["total"]["excl_vat"] == D("16.65")
    table = cli("price", str(file), "--operator", A).stdout
    assert "16.65" in table


def test_an_oicp_charge_detail_record_is_priced_from_its_fields(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "cdr.json"
    file.write_text(json.dumps(OICP_CDR, indent=2))
    answers = lines(cli("price", str(file), "--operator", A, "--json").stdout)
    price = answers[0]["price"]
    assert price["id"] == "oicp-1"
    assert price["provider_id"] == "DE-DCB"
    assert price["total"]["excl_vat"] == D("16.65")


def test_an_oicp_cdr_with_an_unknown_field_is_refused(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "cdrs.json"
    file.write_text(json.dumps([OICP_CDR | {"ConsumedEnergyy": 3}]))
    answers = lines(cli("price", str(file), "--operator", A, "--json", code=1).stdout)
    assert answers[0]["problem"]["code"] == "json.field.unknown"


@pytest.fixture
def two_offers(store: Store, net: Net) -> Cli:
    """`cli` with DE*EMP's bilateral offer that the C kernel takes (`mixed_sessions`)."""
    publish_kernel_offer(store, net)
    return Cli(store.url)


def test_totals_are_the_itemised_totals_of_every_session_of_a_mixed_file(
    two_offers: Cli, tmp_path: Path
) -> None:
    cli = two_offers
    file = tmp_path / "mixed.jsonl"
    file.write_text("".join(json.dumps(session) + "\n" for session in mixed_sessions(600)))
    itemised = lines(cli("price", str(file), "--operator", A, "--json", code=1).stdout)
    totals = lines(cli("price", str(file), "--operator", A, "--json", "--totals", code=1).stdout)
    assert totals == [without_lines(answer) for answer in itemised]
    assert len(totals) == 600
    assert all("lines" not in a["price"] for a in totals if "price" in a)
    assert {a["problem"]["code"] for a in totals if "problem" in a} >= {
        "evse.not_found",
        "session.volume_negative",
    }
    assert any(a["price"]["total"]["excl_vat"] > 0 for a in totals if "price" in a)


def test_the_totals_table_is_the_itemised_table(two_offers: Cli, tmp_path: Path) -> None:
    cli = two_offers
    file = tmp_path / "mixed.jsonl"
    file.write_text("".join(json.dumps(session) + "\n" for session in mixed_sessions(40)))
    itemised = cli("price", str(file), "--operator", A, code=1)
    totals = cli("price", str(file), "--operator", A, "--totals", code=1)
    assert totals.stdout == itemised.stdout
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(SESSION | {"provider_id": "DE*ICE"}) + "\n")
    assert "16.65" in cli("price", str(one), "--operator", A, "--totals").stdout
