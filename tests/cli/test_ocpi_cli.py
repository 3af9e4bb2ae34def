"""`evsenet ocpi price` reprices OCPI CDRs: totals, breakdown, errors and exit codes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evsenet.cli import app

runner = CliRunner()
EXAMPLES = "ocpi-ocpi/2.2.1/examples"


@pytest.fixture
def examples(peer_data: Path) -> Path:
    return peer_data / EXAMPLES


def _json(output: str) -> dict[str, object]:
    value = json.loads(output, parse_float=Decimal)
    assert isinstance(value, dict)
    return value


@pytest.mark.peer_data
def test_the_cdr_example_is_repriced_with_its_own_tariff(examples: Path) -> None:
    result = runner.invoke(
        app, ["ocpi", "price", "--cdr", str(examples / "cdr_example.json"), "--json"]
    )
    assert result.exit_code == 0, result.output
    body = _json(result.stdout)
    assert body["total_cost"] == {"excl_vat": Decimal("4.00"), "incl_vat": Decimal("4.40")}
    assert body["total_time_cost"] == body["total_cost"]
    for name in ("total_energy_cost", "total_parking_cost", "total_fixed_cost"):
        assert body[name] == {"excl_vat": Decimal("0.00"), "incl_vat": Decimal("0.00")}
    assert (body["total_energy"], body["total_time"], body["total_parking_time"]) == (
        0,
        Decimal("1.973"),
        0,
    )
    breakdown = body["breakdown"]
    assert isinstance(breakdown, list)
    assert [line["step_rounding"] for line in breakdown] == [False, True]


@pytest.mark.peer_data
def test_a_tariff_file_replaces_the_cdrs_own_tariffs(examples: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "ocpi",
            "price",
            "--cdr",
            str(examples / "cdr_example.json"),
            "--tariff",
            str(examples / "tariff_1_simple_2hour.json"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = _json(result.stdout)
    # 1.973 h at 2.00/h billed per minute: 118.38 min → 119 min = 3.9667.
    assert body["total_cost"] == {"excl_vat": Decimal("3.97"), "incl_vat": Decimal("4.36")}
    assert body["tariff_id"] == "12"


@pytest.mark.peer_data
def test_without_json_a_table_shows_the_totals(examples: Path) -> None:
    result = runner.invoke(app, ["ocpi", "price", "--cdr", str(examples / "cdr_example.json")])
    assert result.exit_code == 0, result.output
    assert "total_cost" in result.stdout
    assert "4.40" in result.stdout


@pytest.mark.peer_data
def test_a_tariff_with_time_restrictions_needs_a_time_zone(examples: Path) -> None:
    args = [
        "ocpi",
        "price",
        "--cdr",
        str(examples / "cdr_example.json"),
        "--tariff",
        str(examples / "tariff_4_complex.json"),
    ]
    refused = runner.invoke(app, [*args, "--json"])
    assert refused.exit_code == 1
    assert _json(refused.stdout)["error"] == {
        "code": "session.time_zone_missing",
        "message": refused.stderr.split(": ", 1)[1].strip(),
        "field": "time_zone",
    }
    priced = runner.invoke(app, [*args, "--tz", "Europe/Brussels", "--json"])
    assert priced.exit_code == 0, priced.output


@pytest.mark.parametrize(
    ("cdr_text", "code"),
    [
        pytest.param("{not json", "ocpi.json_malformed", id="not-json"),
        pytest.param(
            '{"start_date_time": "2025-01-06T10:00:00Z", "end_date_time": '
            '"2025-01-06T11:00:00Z", "currency": "EUR", "charging_period": []}',
            "ocpi.field_unknown",
            id="misspelt-charging-periods",
        ),
    ],
)
def test_a_broken_cdr_is_an_input_error_with_exit_code_2(
    tmp_path: Path, cdr_text: str, code: str
) -> None:
    path = tmp_path / "cdr.json"
    path.write_text(cdr_text)
    result = runner.invoke(app, ["ocpi", "price", "--cdr", str(path), "--json"])
    assert result.exit_code == 2
    assert f"error [{code}]" in result.stderr
    assert _json(result.stdout)["error"]["code"] == code  # type: ignore[index]


def test_an_unknown_time_zone_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cdr.json"
    path.write_text("{}")
    result = runner.invoke(app, ["ocpi", "price", "--cdr", str(path), "--tz", "Mars/Olympus"])
    assert result.exit_code == 2
    assert "error [time_zone.unknown]" in result.stderr


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ocpi", "price", "--cdr", str(tmp_path / "absent.json")])
    assert result.exit_code == 2
    assert "error [cli.file_unreadable]" in result.stderr


def test_no_tariff_in_force_is_refused_with_exit_code_1(tmp_path: Path) -> None:
    cdr = {
        "start_date_time": "2025-01-06T10:00:00Z",
        "end_date_time": "2025-01-06T11:00:00Z",
        "currency": "EUR",
        "charging_periods": [
            {
                "start_date_time": "2025-01-06T10:00:00Z",
                "dimensions": [{"type": "TIME", "volume": 1}],
            }
        ],
    }
    path = tmp_path / "cdr.json"
    path.write_text(json.dumps(cdr))
    result = runner.invoke(app, ["ocpi", "price", "--cdr", str(path)])
    assert result.exit_code == 1
    assert "error [tariff.none_in_force]" in result.stderr
