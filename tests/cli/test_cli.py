"""The `evsenet` command line on SQLite and PostgreSQL: database, operators, tokens, EVSE
imports of real files (Hubject, BNetzA, AFDC), listing, demo data and `serve`."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
import uvicorn
from alembic.script import ScriptDirectory
from sqlalchemy import text
from typer.testing import CliRunner, Result

import evsenet.cli.evses as cli_evses
import evsenet.cli.operators as cli_operators
import evsenet.cli.serve as cli_serve
from evsenet.cli import app
from evsenet.cli.output import interactive
from evsenet.domain.errors import DomainError
from evsenet.domain.inventory import MAX_PAGE_SIZE, SORT_KEYS
from evsenet.services import schema as schema_service
from evsenet.services.schema import prepare_schema
from evsenet.services.tokens import authenticate
from evsenet.store.engine import Store
from evsenet.store.migrate import MIGRATIONS, current_revision, head_revision, upgrade
from evsenet.store.repositories.evses import EvseRepository
from tests.served_process import free_port

HUBJECT = "hubject-oicp/OICP-2.3/CPO_code_snippets/eRoamingPushEvseData.request.json"
BNETZA = "imke-schwenke-bachelor-seminar/Ladesaeulenregister.csv"
AFDC = "jingniz-ev-charging/alt_fuel_stations.csv"
POSTGRES_URL = os.environ.get("EVSENET_TEST_POSTGRES_URL")
CSV_HEADER = (
    "evse_id,charging_station_id,country,city,postal_code,street,house_number,"
    "latitude,longitude,power_type,output_kw,plugs,time_zone"
)
SERVE_TIMEOUT_S = 20

HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""
NEXT = f"{int(HEAD) + 1:04d}"
"""The code's schema revision, and one it does not know yet."""

runner = CliRunner()


def csv_row(evse_id: str, output: str = "22", city: str = "Köln") -> str:
    return (
        f"{evse_id},KOE-1,DEU,{city},50667,Hohe Straße,52,50.936810,6.955860,"
        f"AC_3_PHASE,{output},Type 2 Outlet,"
    )


class Cli:
    """Runs `evsenet --database URL …` in-process and reads its output."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, code: int = 0, width: int = 120) -> Result:
        environment = {"COLUMNS": str(width)}
        result = runner.invoke(app, ["--database", self.url, *args], env=environment)
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        assert "Traceback" not in result.output
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)

    def error(self, *args: str, code: int) -> str:
        """The one-line error of a failing command (`error [code]: message`)."""
        stderr = self(*args, code=code).stderr.strip()
        assert stderr.startswith("error ["), stderr
        assert "\n" not in stderr, stderr
        return stderr

    def evses(self, operator: str, *filters: str) -> Any:
        return self.json("evses", "list", "--operator", operator, "--limit", "1000", *filters)


@pytest.fixture
def cli(store: Store) -> Cli:
    """The command line on the migrated, empty `store` (SQLite file or PostgreSQL schema)."""
    return Cli(store.url)


@pytest.fixture
def empty_url(empty_database_url: str) -> str:
    """A database that has never seen a migration."""
    return empty_database_url


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- database -------------------------------------------------------------------------


def test_db_upgrade_and_current(empty_url: str) -> None:
    cli = Cli(empty_url)
    assert "revision none" in cli("db", "current").stdout
    assert "database.empty" in cli.error("operators", "list", code=1)
    upgraded = cli("db", "upgrade").stdout
    assert f"none → {HEAD}" in upgraded
    assert "nothing to do" in cli("db", "upgrade").stdout
    assert f"revision {HEAD} (head {HEAD}); up to date" in cli("db", "current").stdout
    assert cli.json("operators", "list") == {"total": 0, "items": []}


def test_database_errors_are_one_line(tmp_path: Path) -> None:
    assert "database.url" in Cli("not a url").error("db", "current", code=2)
    unreachable = Cli("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    message = unreachable.error("db", "current", code=1)
    assert "database.error" in message
    assert "secret" not in message


def test_serve_refuses_an_outdated_schema(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema_service, "head_revision", lambda _store: NEXT)
    with pytest.raises(DomainError) as refused:
        prepare_schema(store, create_if_empty=True)
    assert refused.value.code == "database.schema_outdated"
    assert f"revision {HEAD}, this evsenet needs {NEXT}" in refused.value.message
    assert "evsenet db upgrade" in refused.value.message
    assert current_revision(store) == HEAD

    monkeypatch.setattr(cli_serve, "run_server", _no_server)
    stderr = Cli(store.url).error("serve", code=1)
    assert "run `evsenet db upgrade`" in stderr


def test_serve_refuses_a_schema_newer_than_the_code(empty_url: str) -> None:
    store = Store(empty_url)
    try:
        upgrade(store)
        with store.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(DomainError, match="does not know") as refused:
            prepare_schema(store, create_if_empty=True)
        assert refused.value.code == "database.schema_outdated"
        assert "database.schema_outdated" in Cli(empty_url).error("serve", code=1)
    finally:
        store.dispose()


def _no_server(*_args: object) -> None:
    raise AssertionError("the server must not start")


def test_serve_creates_the_schema_of_an_empty_database(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[str, int, int]] = []

    def fake_server(store: Store, host: str, port: int, workers: int) -> None:
        assert current_revision(store) == head_revision(store)
        started.append((host, port, workers))

    monkeypatch.setattr(cli_serve, "run_server", fake_server)
    port = free_port()
    result = Cli(empty_url)("serve", "--port", str(port))
    assert started == [("127.0.0.1", port, 1)]
    assert f"Created the evsenet database schema (revision {HEAD})" in result.stderr
    assert f"http://127.0.0.1:{port}" in result.stdout
    assert f"health: http://127.0.0.1:{port}/health" in result.stdout


def _health(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def test_serve_starts_and_answers_health(tmp_path: Path) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "EVSENET_DATABASE_URL"}
    env["EVSENET_DATABASE_PATH"] = str(tmp_path / "serve.sqlite")
    command = [sys.executable, "-m", "evsenet.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT_S
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            status = _health(f"http://127.0.0.1:{port}/health")
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200, f"no healthy server within {SERVE_TIMEOUT_S} s"
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert f"health: http://127.0.0.1:{port}/health" in output.decode()
    assert (tmp_path / "serve.sqlite").exists()


# --- operators and tokens -------------------------------------------------------------


def test_operators_add_list_and_sub_operators(cli: Cli) -> None:
    added = cli("operators", "add", "de*abc", "--name", "ABC technologies",
                "--sub-operator", "DE*XYZ", "--sub-operator", "DEXY1").stdout  # fmt: skip
    assert "Registered operator DE*ABC (ABC technologies)" in added
    cli("operators", "add", "NL*EVN")
    listed = cli.json("operators", "list")
    assert listed["total"] == 2
    abc = next(item for item in listed["items"] if item["operator_id"] == "DE*ABC")
    assert abc["name"] == "ABC technologies"
    assert abc["sub_operators"] == ["DE*XY1", "DE*XYZ"]

    assert "DE*QQQ" in cli("operators", "sub-operators", "add", "NL*EVN", "DE*QQQ").stdout
    assert "sub_operator.taken" in cli.error(
        "operators", "sub-operators", "add", "NL*EVN", "DE*XYZ", code=1
    )
    cli("operators", "sub-operators", "remove", "DE*ABC", "DE*XY1")
    abc = next(i for i in cli.json("operators", "list")["items"] if i["operator_id"] == "DE*ABC")
    assert abc["sub_operators"] == ["DE*XYZ"]
    assert "sub_operator.unknown" in cli.error(
        "operators", "sub-operators", "remove", "DE*ABC", "DE*XY1", code=1
    )

    table = cli("operators", "list").stdout
    assert "ABC technologies" in table
    assert "2 operators" in table


def test_operator_errors(cli: Cli) -> None:
    cli("operators", "add", "DE*ABC")
    assert "operator.exists" in cli.error("operators", "add", "DE*ABC", code=1)
    assert "operator_id.malformed" in cli.error("operators", "add", "DE*ABCD", code=2)
    assert "operator.unknown" in cli.error(
        "operators", "sub-operators", "add", "DE*NOP", "DE*XYZ", code=1
    )


def test_sub_operators_are_documented_in_the_help() -> None:
    result = runner.invoke(app, ["operators", "sub-operators", "--help"])
    assert result.exit_code == 0
    assert "DE*XYZ" in result.stdout
    assert "hub" in result.stdout.lower()
    added = runner.invoke(app, ["operators", "add", "--help"])
    assert "--sub-operator" in added.stdout


def test_tokens_create_and_revoke(cli: Cli, store: Store) -> None:
    cli("operators", "add", "DE*ABC")
    created = cli("tokens", "create", "--operator", "DE*ABC", "--label", "ci")
    token = created.stdout.strip()
    assert token.startswith("evn_")
    assert "shown only now" in created.stderr
    operator = authenticate(store, token)
    assert operator is not None
    assert operator.display == "DE*ABC"

    token_id = created.stderr.split("API token ")[1].split()[0]
    assert "Revoked" in cli("tokens", "revoke", "--operator", "DE*ABC", token_id).stdout
    assert authenticate(store, token) is None
    assert "token.not_found" in cli.error(
        "tokens", "revoke", "--operator", "DE*ABC", token_id, code=1
    )
    assert "operator.unknown" in cli.error("tokens", "create", "--operator", "DE*NOP", code=1)


# --- EVSE imports ---------------------------------------------------------------------


@pytest.mark.peer_data
def test_hubject_example_is_refused_without_the_sub_operator(cli: Cli, peer_data: Path) -> None:
    body = str(peer_data / HUBJECT)
    cli("operators", "add", "DE*ABC")
    refused = cli.json("evses", "import", body, "--operator", "DE*ABC", code=1)
    assert refused["committed"] is False
    assert refused["action"] == "fullLoad"
    assert [(r["index"], r["evse_id"], r["code"]) for r in refused["rejected"]] == [
        (0, "DE*XYZ*ETEST1", "evse_id.operator_mismatch")
    ]
    assert cli.evses("DE*ABC")["total"] == 0

    human = cli("evses", "import", body, "--operator", "DE*ABC", code=1).stdout
    assert "evse_id.operator_mismatch" in human
    assert "Nothing was written" in human

    cli("operators", "sub-operators", "add", "DE*ABC", "DE*XYZ")
    summary = cli.json("evses", "import", body, "--operator", "DE*ABC")
    assert (summary["inserted"], summary["rejected"], summary["committed"]) == (1, [], True)
    [evse] = cli.evses("DE*ABC")["items"]
    assert evse["evse_id"] == "DE*XYZ*ETEST1"
    assert evse["location"]["city"] == "Berlin"
    assert evse["output_kw"] == "22.00"


@pytest.mark.peer_data
def test_hubject_example_for_a_hub_registered_with_its_sub_operator(
    cli: Cli, peer_data: Path
) -> None:
    cli("operators", "add", "DE*ABC", "--sub-operator", "DE*XYZ")
    result = cli("evses", "import", str(peer_data / HUBJECT), "--operator", "DE*ABC")
    assert "inserted 1" in result.stdout
    assert "refused 0" in result.stdout


@pytest.mark.peer_data
def test_bnetza_register_import(cli: Cli, peer_data: Path) -> None:
    register = str(peer_data / BNETZA)
    result = cli("evses", "import", register, "--operator", "DE*KOE", "--json")
    assert "Registered new operator DE*KOE" in result.stderr
    summary = json.loads(result.stdout)
    assert summary == {
        "action": "upsert",
        "received": 521,
        "inserted": 521,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
        "rejected": [],
        "rejected_not_shown": 0,
        "committed": True,
    }
    again = cli.json("evses", "import", register, "-o", "DE*KOE", "--format", "bnetza")
    assert (again["inserted"], again["unchanged"]) == (0, 521)
    assert cli.evses("DE*KOE", "--limit", "1")["total"] == 521
    assert cli.evses("DE*KOE", "--city", "Köln", "--limit", "1")["total"] > 500


@pytest.mark.peer_data
def test_afdc_export_import(cli: Cli, peer_data: Path) -> None:
    summary = cli.json("evses", "import", str(peer_data / AFDC), "--operator", "US*NYS")
    assert (summary["received"], summary["inserted"], summary["rejected"]) == (16788, 16788, [])
    dc = cli.json("evses", "list", "-o", "US*NYS", "--power-type", "DC", "--limit", "1")
    assert dc["total"] > 0
    assert dc["items"][0]["time_zone"] == "America/New_York"
    assert dc["items"][0]["output_kw"] == "50.00"


@pytest.mark.peer_data
def test_afdc_time_zone_option(cli: Cli, peer_data: Path, tmp_path: Path) -> None:
    header, *rows = (peer_data / AFDC).read_text(encoding="utf-8-sig").splitlines()
    electric = [row for row in rows if row.startswith("ELEC,")][:3]
    export = write(tmp_path / "stations.csv", header, *electric)
    summary = cli.json("evses", "import", str(export), "-o", "US*NYS",
                       "--format", "afdc", "--time-zone", "America/Chicago")  # fmt: skip
    assert summary["inserted"] >= 3
    assert summary["rejected"] == []
    zones = {item["time_zone"] for item in cli.evses("US*NYS")["items"]}
    assert zones == {"America/Chicago"}


def test_refused_import_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    good = write(tmp_path / "good.csv", CSV_HEADER, csv_row("DE*ABC*E1*1"), csv_row("DE*ABC*E1*2"))
    cli("evses", "import", str(good), "--operator", "DE*ABC")
    before = cli.evses("DE*ABC")

    bad = write(tmp_path / "bad.csv", CSV_HEADER, csv_row("DE*ABC*E1*1", output="44"),
                csv_row("DE*ABC*E2*1", output="many"), csv_row("DE*ABC*E3*1"))  # fmt: skip
    summary = cli.json("evses", "import", str(bad), "--operator", "DE*ABC", code=1)
    assert summary["committed"] is False
    assert (summary["received"], summary["inserted"], summary["updated"]) == (3, 0, 0)
    assert summary["rejected"] == [
        {
            "line": 3,
            "evse_id": "DE*ABC*E2*1",
            "field": "output_kw",
            "code": "output.malformed",
            "message": "Output (kW) 'many' is not a number in plain notation (digits, a '.' "
            "decimal point, an optional leading '-': no '+', exponent or blanks)",
        }
    ]
    assert cli.evses("DE*ABC") == before


def test_skip_invalid_keeps_the_good_records_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    rows = [csv_row(f"DE*ABC*E{n}*1") for n in range(1, 4)] + [csv_row("DE*ABC*E9*1", "-1")]
    batch = write(tmp_path / "batch.csv", CSV_HEADER, *rows)
    summary = cli.json("evses", "import", str(batch), "-o", "DE*ABC", "--skip-invalid", code=1)
    assert summary["committed"] is True
    assert summary["inserted"] == 3
    assert [(r["line"], r["code"]) for r in summary["rejected"]] == [(5, "output.not_positive")]
    assert cli.evses("DE*ABC")["total"] == 3

    human = cli("evses", "import", str(batch), "-o", "DE*ABC", "--skip-invalid", code=1).stdout
    assert "unchanged 3" in human
    assert "output.not_positive" in human
    assert "were skipped" in human


def test_rejected_table_shows_the_first_50(cli: Cli, tmp_path: Path) -> None:
    rows = [csv_row(f"DE*ABC*E{n}*1", output="x") for n in range(1, 61)]
    batch = write(tmp_path / "batch.csv", CSV_HEADER, *rows)
    out = cli("evses", "import", str(batch), "--operator", "DE*ABC", code=1).stdout
    assert "Refused records" in out
    assert "DE*ABC*E50*1" in out
    assert "DE*ABC*E51*1" not in out
    assert "… and 10 more" in out


def test_import_usage_errors(cli: Cli, tmp_path: Path) -> None:
    good = write(tmp_path / "good.csv", CSV_HEADER, csv_row("DE*ABC*E1*1"))
    assert "operator_id.malformed" in cli.error(
        "evses", "import", str(good), "--operator", "DE-ABC-X", code=2
    )
    assert "cli.file_unreadable" in cli.error(
        "evses", "import", str(tmp_path / "missing.csv"), "-o", "DE*ABC", code=2
    )
    assert "import.time_zone_not_applicable" in cli.error(
        "evses", "import", str(good), "-o", "DE*ABC", "--time-zone", "Europe/Berlin", code=2
    )
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((CSV_HEADER + "\n" + csv_row("DE*ABC*E1*1") + "\n").encode("latin-1"))
    assert "import.encoding" in cli.error("evses", "import", str(latin1), "-o", "DE*ABC", code=2)
    broken = write(tmp_path / "push.json", "{not json")
    assert "oicp.body.malformed" in cli.error(
        "evses", "import", str(broken), "-o", "DE*ABC", code=2
    )
    headless = write(tmp_path / "odd.csv", "name,value", "a,1")
    assert "csv.header" in cli.error("evses", "import", str(headless), "-o", "DE*ABC", code=2)
    unknown_format = cli("evses", "import", str(good), "-o", "DE*ABC", "--format", "xml", code=2)
    assert "xml" in unknown_format.stderr
    assert cli.json("operators", "list")["total"] == 0


@pytest.mark.peer_data
def test_oicp_action_cannot_be_overridden(cli: Cli, peer_data: Path) -> None:
    stderr = cli.error("evses", "import", str(peer_data / HUBJECT), "-o", "DE*ABC",
                       "--action", "insert", code=2)  # fmt: skip
    assert "import.action_mismatch" in stderr
    assert "fullLoad" in stderr


def test_import_actions(cli: Cli, tmp_path: Path) -> None:
    first = write(tmp_path / "a.csv", CSV_HEADER, csv_row("DE*ABC*E1*1"), csv_row("DE*ABC*E2*1"))
    inserted = cli.json("evses", "import", str(first), "-o", "DE*ABC", "--action", "insert")
    assert inserted["inserted"] == 2
    again = cli.json("evses", "import", str(first), "-o", "DE*ABC", "--action", "insert", code=1)
    assert {r["code"] for r in again["rejected"]} == {"evse.already_exists"}
    full = write(tmp_path / "b.csv", CSV_HEADER, csv_row("DE*ABC*E1*1", city="Bonn"))
    summary = cli.json("evses", "import", str(full), "-o", "DE*ABC", "--action", "FULLLOAD")
    assert (summary["updated"], summary["withdrawn"]) == (1, 1)
    assert cli.evses("DE*ABC")["total"] == 1
    assert cli.evses("DE*ABC", "--include-withdrawn")["total"] == 2


# --- listing and demo -----------------------------------------------------------------


def test_list_filters_and_json(cli: Cli) -> None:
    cli("demo", "--evses", "400", "--operator", "DE*DMO", "--json")
    everything = cli.evses("DE*DMO")
    assert everything["total"] == 400
    items = everything["items"]
    assert [item["evse_id"] for item in items] == sorted(item["evse_id"] for item in items)

    dc = cli.evses("DE*DMO", "--power-type", "dc")
    assert 0 < dc["total"] < 400
    assert {item["power_type"] for item in dc["items"]} == {"DC"}
    fast = cli.evses("DE*DMO", "--min-output", "100", "--max-output", "300")
    assert all(Decimal("100") <= Decimal(i["output_kw"]) <= Decimal("300") for i in fast["items"])
    assert all(isinstance(i["output_kw"], str) for i in fast["items"])
    berlin = cli.evses("DE*DMO", "--city", "Berlin", "--country", "DE")
    assert berlin["total"] > 0
    assert {(i["location"]["city"], i["location"]["country"]) for i in berlin["items"]} == {
        ("Berlin", "DEU")
    }
    postal = items[0]["location"]["postal_code"]
    assert all(
        i["location"]["postal_code"] == postal
        for i in cli.evses("DE*DMO", "--postal-code", postal)["items"]
    )
    station = cli.evses("DE*DMO", "--q", "E000001")
    assert station["total"] >= 1
    assert all("E000001" in item["evse_id"] for item in station["items"])

    page = cli.json("evses", "list", "-o", "DE*DMO", "--limit", "10", "--offset", "5")
    assert (page["total"], page["limit"], page["offset"]) == (400, 10, 5)
    assert [item["evse_id"] for item in page["items"]] == [i["evse_id"] for i in items[5:15]]
    biggest = cli.json("evses", "list", "-o", "DE*DMO", "--sort", "output_kw", "--desc")
    outputs = [Decimal(item["output_kw"]) for item in biggest["items"]]
    assert outputs == sorted(outputs, reverse=True)


def test_list_table_and_errors(cli: Cli, tmp_path: Path) -> None:
    batch = write(tmp_path / "a.csv", CSV_HEADER, csv_row("DE*ABC*E1*1"), csv_row("DE*ABC*E2*1"))
    cli("evses", "import", str(batch), "-o", "DE*ABC")
    table = cli("evses", "list", "-o", "DE*ABC", "--limit", "1").stdout
    for fact in ("DE*ABC*E1*1", "Hohe Straße 52", "50667 Köln", "AC_3_PHASE", "22.00", "active"):
        assert fact in table
    assert "EVSEs 1–1 of 2 (next page: --offset 1)" in table
    assert "filter.power_type" in cli.error("evses", "list", "-o", "DE*ABC",
                                            "--power-type", "AC", code=2)  # fmt: skip
    assert "filter.output_range" in cli.error("evses", "list", "-o", "DE*ABC",
                                              "--min-output", "50", "--max-output", "10",
                                              code=2)  # fmt: skip
    assert "page.sort" in cli.error("evses", "list", "-o", "DE*ABC", "--sort", "name", code=2)
    assert "page.limit" in cli.error("evses", "list", "-o", "DE*ABC", "--limit", "0", code=2)
    assert "operator.unknown" in cli.error("evses", "list", "-o", "DE*NOP", code=1)


def test_a_narrow_terminal_never_cuts_an_evse_id_short(cli: Cli, tmp_path: Path) -> None:
    long_id = "DE*ABC*E" + "1234567890" * 3
    cli("evses", "import", str(write(tmp_path / "a.csv", CSV_HEADER, csv_row(long_id))), "-o",
        "DE*ABC")  # fmt: skip
    table = cli("evses", "list", "-o", "DE*ABC", width=60).stdout
    assert "…" not in table
    first_column = "".join(line.split("│")[1].strip() for line in table.splitlines()[3:-2])
    assert long_id in first_column


def test_demo_registers_the_operator_and_is_repeatable(cli: Cli) -> None:
    first = cli("demo", "--evses", "250", "--operator", "NL*DMO", "--seed", "7", "--json")
    assert "Registered new operator NL*DMO" in first.stderr
    summary = json.loads(first.stdout)
    assert (summary["inserted"], summary["rejected"]) == (250, [])
    again = cli.json("demo", "--evses", "250", "--operator", "NL*DMO", "--seed", "7")
    assert (again["inserted"], again["unchanged"]) == (0, 250)
    human = cli("demo", "--evses", "250", "--operator", "NL*DMO", "--seed", "8").stdout
    assert "Demo inventory of NL*DMO (seed 8): 250 records" in human


def test_demo_on_an_empty_database_creates_the_schema(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    result = cli("demo", "--evses", "20")
    assert "Created the evsenet database schema" in result.stderr
    assert cli.evses("DE*DMO")["total"] == 20


def test_default_database_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path
) -> None:
    path = tmp_path / "env.sqlite"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("EVSENET_DATABASE_URL", f"sqlite:///{path}")
    result = runner.invoke(app, ["operators", "add", "DE*ENV"])
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("EVSENET_DATABASE_URL")
    assert "DE*ENV" in Cli(f"sqlite:///{path}")("operators", "list").stdout


def test_a_refused_file_is_a_json_error_with_json(cli: Cli, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((CSV_HEADER + "\n" + csv_row("DE*ABC*E1*1") + "\n").encode("latin-1"))
    result = cli("evses", "import", str(latin1), "-o", "DE*ABC", "--json", code=2)
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "import.encoding"
    assert "UTF-8" in error["message"]
    assert "import.encoding" in result.stderr


# --- an operator's first steps: the README ---------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"
README_SECTION = "## What works today"


def readme_commands() -> list[list[str]]:
    """The `evsenet` command lines of the README's "What works today" block, as argv."""
    section = README.read_text(encoding="utf-8").split(README_SECTION, 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    lines = [line.split("  #", 1)[0].strip() for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith(".venv/bin/evsenet ")]


@pytest.mark.peer_data
def test_the_readme_commands_work_as_written_on_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, peer_data: Path
) -> None:
    monkeypatch.chdir(README.parent)
    monkeypatch.delenv("EVSENET_DATABASE_URL", raising=False)
    monkeypatch.setenv("EVSENET_DATABASE_PATH", str(tmp_path / "fresh" / "evsenet.sqlite"))
    commands = readme_commands()
    assert len(commands) >= 6
    for argv in commands:
        result = runner.invoke(app, argv)
        assert result.exit_code == 0, (argv, result.stdout, result.stderr)


# --- errors: one line, the right exit code, JSON with --json ----------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["evses", "import", "x.csv", "--operator", "DE*ABC", "--format", "xml"],
        ["evses", "import", "x.csv"],
        ["evses", "lst"],
        ["evses", "list", "-o", "DE*ABC", "--limit", "many"],
        ["demo", "--evses", "0"],
        ["--no-such-option", "db", "current"],
    ],
)
def test_usage_errors_are_one_line(argv: list[str]) -> None:
    result = runner.invoke(app, argv, env={"COLUMNS": "80"})
    assert result.exit_code == 2
    assert result.stdout == ""
    stderr = result.stderr.strip()
    assert stderr.startswith("error [request.invalid]: "), stderr
    assert "\n" not in stderr
    assert "--help" in stderr


def test_no_command_shows_the_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage: evsenet" in result.stdout + result.stderr
    assert "evses" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://user@localhost:notaport/db", "oracle+cx_oracle://user@localhost/db"],
)
def test_an_unusable_database_url_is_a_usage_error(url: str) -> None:
    assert "database.url" in Cli(url).error("db", "current", code=2)


def test_a_database_folder_that_cannot_be_made_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.delenv("EVSENET_DATABASE_URL", raising=False)
    monkeypatch.setenv("EVSENET_DATABASE_PATH", str(blocker / "data" / "evsenet.sqlite"))
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 1
    stderr = result.stderr.strip()
    assert stderr.startswith("error [database.error]: "), stderr
    assert "\n" not in stderr
    assert str(blocker / "data") in stderr


def test_a_read_only_database_refuses_writes_in_one_line(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "read-only.sqlite"
    shutil.copy(sqlite_template, path)
    read_only = Cli(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert read_only.json("operators", "list") == {"total": 0, "items": []}
    assert "database.error" in read_only.error("operators", "add", "DE*ABC", code=1)


def test_an_unexpected_error_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_store: Store) -> None:
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(cli_operators, "list_operators", broken)
    stderr = cli.error("operators", "list", code=1)
    assert stderr.startswith("error [internal.error]: ")
    assert "something broke" in stderr


def test_a_token_number_beyond_any_database_integer_is_a_usage_error(cli: Cli) -> None:
    cli("operators", "add", "DE*ABC")
    assert "request.invalid" in cli.error(
        "tokens", "revoke", "--operator", "DE*ABC", str(2**70), code=2
    )


def test_every_error_is_json_on_stdout_with_json(cli: Cli, tmp_path: Path) -> None:
    unknown = cli("evses", "list", "-o", "DE*NOP", "--json", code=1)
    assert json.loads(unknown.stdout)["error"]["code"] == "operator.unknown"
    assert unknown.stderr.startswith("error [operator.unknown]")
    missing = cli("evses", "import", str(tmp_path / "missing.csv"), "-o", "DE*ABC", "--json",
                  code=2)  # fmt: skip
    assert json.loads(missing.stdout)["error"]["code"] == "cli.file_unreadable"
    malformed = cli("evses", "list", "-o", "DE*ABCD", "--json", code=2)
    assert json.loads(malformed.stdout)["error"]["code"] == "operator_id.malformed"
    empty = Cli(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert json.loads(empty("operators", "list", "--json", code=1).stdout) == {
        "error": {
            "code": "database.empty",
            "message": empty.error("operators", "list", code=1).split(": ", 1)[1],
            "field": None,
        }
    }


# --- Ctrl-C -----------------------------------------------------------------------------


def test_ctrl_c_during_an_import_writes_nothing_and_says_so(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    cli("operators", "add", "DE*ABC")
    monkeypatch.setattr(EvseRepository, "restore_many", interrupted)
    batch = write(tmp_path / "a.csv", CSV_HEADER, csv_row("DE*ABC*E1*1"), csv_row("DE*ABC*E2*1"))
    result = cli("evses", "import", str(batch), "-o", "DE*ABC", code=130)
    stderr = result.stderr.strip()
    assert stderr.startswith("Interrupted"), stderr
    assert "\n" not in stderr
    assert "nothing was written" in stderr
    monkeypatch.undo()
    assert cli.evses("DE*ABC")["total"] == 0


def test_ctrl_c_after_the_last_write_may_have_committed(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted_at_the_end(*_args: object, progress: Any = None, **_kwargs: object) -> None:
        progress("write", 2, 2)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_evses, "import_evses", interrupted_at_the_end)
    batch = write(tmp_path / "a.csv", CSV_HEADER, csv_row("DE*ABC*E1*1"), csv_row("DE*ABC*E2*1"))
    stderr = cli("evses", "import", str(batch), "-o", "DE*ABC", code=130).stderr
    assert "evsenet evses list" in stderr
    assert "nothing was written" not in stderr


def test_ctrl_c_elsewhere_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_store: Store) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_operators, "list_operators", interrupted)
    assert cli("operators", "list", code=130).stderr.strip() == "Interrupted"


# --- progress, tables and help ----------------------------------------------------------


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("stdout_tty", "stderr_tty", "as_json", "shown"),
    [
        (True, True, False, True),
        (True, True, True, False),
        (False, True, False, False),
        (True, False, False, False),
    ],
)
def test_the_progress_bar_is_for_a_person_at_a_terminal(
    monkeypatch: pytest.MonkeyPatch, stdout_tty: bool, stderr_tty: bool, as_json: bool, shown: bool
) -> None:
    monkeypatch.setattr(sys, "stdout", _Stream(stdout_tty))
    monkeypatch.setattr(sys, "stderr", _Stream(stderr_tty))
    assert interactive(as_json) is shown


def test_a_narrow_terminal_never_cuts_a_location_short(cli: Cli, tmp_path: Path) -> None:
    street = "Emmy-Noether-Straßenverlängerungsweg"
    row = csv_row("DE*ABC*E1*1").replace("Hohe Straße", street)
    cli("evses", "import", str(write(tmp_path / "a.csv", CSV_HEADER, row)), "-o", "DE*ABC")
    table = cli("evses", "list", "-o", "DE*ABC", width=70).stdout
    assert "…" not in table
    location = "".join(line.split("│")[2].strip() for line in table.splitlines()[3:-2])
    assert street in location


def _commands(group: Any, path: str = "evsenet") -> Iterator[tuple[str, Any]]:
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, f"{path} {name}")
        else:
            yield f"{path} {name}", command


def test_every_option_and_argument_says_what_it_is() -> None:
    unexplained = [
        f"{path} {param.name}"
        for path, command in _commands(typer.main.get_command(app))
        for param in command.params
        if not (getattr(param, "help", None) or "").strip()
    ]
    assert unexplained == []


def test_help_texts_name_what_is_there() -> None:
    imported = runner.invoke(app, ["evses", "import", "--help"], env={"COLUMNS": "200"}).stdout
    assert "FILE" in imported
    assert "{file}" not in imported
    assert all(field in imported for field in ("inserted", "updated", "withdrawn", "rejected"))
    listed = runner.invoke(app, ["evses", "list", "--help"], env={"COLUMNS": "200"}).stdout
    assert all(key in listed for key in SORT_KEYS)
    assert str(MAX_PAGE_SIZE) in listed
    served = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"}).stdout
    assert "web UI" in served  # `serve` serves the UI (evsenet.web) since it exists


def test_demo_takes_the_operator_as_o(cli: Cli) -> None:
    assert cli.json("demo", "--evses", "5", "-o", "NL*DMO")["inserted"] == 5


# --- serve --------------------------------------------------------------------------------


def test_serve_on_a_port_in_use_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_serve, "run_server", _no_server)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        stderr = cli.error("serve", "--port", port, code=2)
    assert "request.invalid" in stderr
    assert f"127.0.0.1:{port}" in stderr


def test_serve_maps_a_server_that_fails_to_start_to_exit_code_1(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*_args: object, **_kwargs: object) -> None:
        sys.exit(3)

    monkeypatch.setattr(uvicorn, "run", failing)
    cli("serve", "--port", str(free_port()), code=1)


@pytest.mark.parametrize("setting", ["abc", "0", "-5", "2000000"])
def test_serve_refuses_an_unusable_body_limit_before_it_starts(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setattr(cli_serve, "run_server", _no_server)
    monkeypatch.setenv("EVSENET_MAX_BODY_MIB", setting)
    stderr = cli.error("serve", "--port", str(free_port()), code=2)
    assert "config.invalid" in stderr
    assert "EVSENET_MAX_BODY_MIB" in stderr


# --- imports and operators ------------------------------------------------------------------


def test_a_refused_import_registers_no_operator(cli: Cli, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", CSV_HEADER, csv_row("DE*NEW*E1*1", output="many"))
    cli("evses", "import", str(bad), "-o", "DE*NEW", code=1)
    assert cli.json("operators", "list")["total"] == 0


# --- CSV export and confirmed withdrawals -----------------------------------------------


@pytest.mark.peer_data
def test_list_format_csv_exports_what_import_reads_back_unchanged(
    cli: Cli, peer_data: Path, tmp_path: Path
) -> None:
    cli("evses", "import", str(peer_data / BNETZA), "--operator", "DE*KOE")
    exported = runner.invoke(
        app, ["--database", cli.url, "evses", "list", "-o", "DE*KOE", "--format", "csv"]
    )
    assert exported.exit_code == 0, exported.stderr
    assert exported.stdout_bytes.startswith("\ufeff".encode() + CSV_HEADER.encode() + b"\r\n")
    assert exported.stdout_bytes.count(b"\r\n") == 522
    path = tmp_path / "export.csv"
    path.write_bytes(exported.stdout_bytes)
    again = cli.json("evses", "import", str(path), "-o", "DE*KOE")
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 521)
    filtered = cli("evses", "list", "-o", "DE*KOE", "--format", "csv", "--power-type", "DC")
    assert 1 < filtered.stdout.count("\n") < 522


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--limit", "10"), "export.paged"),
        (("--include-withdrawn",), "export.withdrawn"),
        (("--json",), "request.invalid"),
    ],
)
def test_list_format_csv_refuses_pages_withdrawn_evses_and_json(
    cli: Cli, args: tuple[str, ...], code: str
) -> None:
    cli("operators", "add", "DE*ABC")
    error = cli.error("evses", "list", "-o", "DE*ABC", "--format", "csv", *args, code=2)
    assert f"[{code}]" in error


def test_a_full_load_withdrawing_most_evses_needs_the_confirmed_count(
    cli: Cli, tmp_path: Path
) -> None:
    rows = [csv_row(f"DE*ABC*E{n}*1") for n in range(1, 5)]
    cli("evses", "import", str(write(tmp_path / "all.csv", CSV_HEADER, *rows)), "-o", "DE*ABC")
    one = str(write(tmp_path / "one.csv", CSV_HEADER, rows[0]))
    error = cli.error("evses", "import", one, "-o", "DE*ABC", "--action", "fullLoad", code=1)
    assert "[batch.withdrawals_unconfirmed]" in error
    assert "--confirm-withdrawals 3" in error
    stale = ("--action", "fullLoad", "--confirm-withdrawals", "2")
    assert "[batch.withdrawals_mismatch]" in cli.error(
        "evses", "import", one, "-o", "DE*ABC", *stale, code=1
    )
    assert cli.evses("DE*ABC")["total"] == 4
    confirmed = ("--action", "fullLoad", "--confirm-withdrawals", "3")
    summary = cli.json("evses", "import", one, "-o", "DE*ABC", *confirmed)
    assert summary["withdrawn"] == 3
    assert cli.evses("DE*ABC")["total"] == 1


def test_a_file_of_blank_and_comma_only_lines_is_refused(cli: Cli, tmp_path: Path) -> None:
    blank = write(tmp_path / "blank.csv", CSV_HEADER, "", ",,,,,,,,,,,,", " , , ")
    error = cli.error("evses", "import", str(blank), "-o", "DE*ABC", code=2)
    assert "[import.no_records]" in error
