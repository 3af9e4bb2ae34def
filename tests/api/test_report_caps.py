"""Every report is bounded (issue 11): the first 1,000 problems and the count of the rest,
and no message or detail longer than MESSAGE_LIMIT characters, on the API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from evsenet.cli import app
from evsenet.domain.errors import MESSAGE_LIMIT, REPORT_LIMIT, bounded_text, reported

if TYPE_CHECKING:
    from tests.api.conftest import Api

REFUSED = 1_500
"""More refused records than a report lists."""


def _bad_rows(api: Api, count: int) -> bytes:
    return api.csv_file(*(api.csv_row(f"DE*ABC*E{n}", output="-1") for n in range(count)))


def test_a_refused_batch_lists_the_first_thousand_problems_and_counts_the_rest(api: Api) -> None:
    response = api.import_file(_bad_rows(api, REFUSED))
    body = api.problem(response, 422, "batch.rejected")
    assert len(body["errors"]) == REPORT_LIMIT
    assert body["errors_not_shown"] == REFUSED - REPORT_LIMIT
    assert f"The first {REPORT_LIMIT} of {REFUSED} problems" in body["detail"]
    assert [error["line"] for error in body["errors"][:2]] == [2, 3]
    assert len(response.content) < 400_000


def test_skipped_records_list_the_first_thousand_problems_and_count_the_rest(api: Api) -> None:
    rows = [api.csv_row(f"DE*ABC*E{n}", output="-1") for n in range(REFUSED)]
    data = api.csv_file(*rows, api.csv_row("DE*ABC*EGOOD"))
    response = api.import_file(data, skip_invalid="true")
    assert response.status_code == 200, response.text[:500]
    summary = response.json()
    assert len(summary["rejected"]) == REPORT_LIMIT
    assert summary["rejected_not_shown"] == REFUSED - REPORT_LIMIT
    assert summary["inserted"] == 1


def test_a_small_report_says_nothing_is_left_out(api: Api) -> None:
    body = api.problem(api.import_file(_bad_rows(api, 2)), 422, "batch.rejected")
    assert len(body["errors"]) == 2
    assert "errors_not_shown" not in body
    summary = api.import_file(_bad_rows(api, 2), skip_invalid="true").json()
    assert summary["rejected_not_shown"] == 0


def test_a_header_of_a_million_unknown_columns_gives_a_bounded_detail(api: Api) -> None:
    header = ",".join(f"c{n}" for n in range(1_000_000)).encode()
    response = api.client.post(
        "/api/v1/evses/import",
        content=header + b"\r\n",
        headers={**api.auth(api.A), "Content-Type": "text/csv"},
    )
    assert response.status_code == 400, response.text[:500]
    detail = response.json()["detail"]
    assert len(detail) <= MESSAGE_LIMIT + 100
    assert "more characters not shown" in detail
    assert len(response.content) < 10_000


@pytest.mark.parametrize(
    ("length", "cut"),
    [pytest.param(10, False, id="short"), pytest.param(MESSAGE_LIMIT, False, id="at-limit"),
     pytest.param(MESSAGE_LIMIT + 1, True, id="one-over"), pytest.param(10**6, True, id="huge")],
)  # fmt: skip
def test_bounded_text_cuts_only_what_is_over_the_limit(length: int, cut: bool) -> None:
    text = "x" * length
    shown = bounded_text(text)
    assert (shown != text) is cut
    if cut:
        assert shown.startswith("x" * MESSAGE_LIMIT)
        assert shown.endswith(f"({length - MESSAGE_LIMIT} more characters not shown)")


def test_reported_keeps_the_first_problems_and_counts_the_rest() -> None:
    assert reported(list(range(5)), 3) == ([0, 1, 2], 2)
    assert reported([1], 3) == ([1], 0)


def test_the_cli_lists_the_first_thousand_problems_and_counts_the_rest(
    api: Api, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(_bad_rows(api, REFUSED))
    runner = CliRunner()
    arguments = ["--database", api.store.url, "evses", "import", str(path), "--operator", api.A]
    as_json = runner.invoke(app, [*arguments, "--json"])
    assert as_json.exit_code == 1, as_json.stderr
    summary = json.loads(as_json.stdout)
    assert len(summary["rejected"]) == REPORT_LIMIT
    assert summary["rejected_not_shown"] == REFUSED - REPORT_LIMIT
    human = runner.invoke(app, arguments, env={"COLUMNS": "200"})
    assert human.exit_code == 1
    assert f"… and {REFUSED - 50} more (--json lists the first {REPORT_LIMIT}" in human.stdout


def test_a_cli_error_line_is_bounded(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{n}" for n in range(200_000)) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["--database", api.store.url, "evses", "import", str(path), "--operator", api.A]
    )
    assert result.exit_code != 0
    assert result.stderr.startswith("error [")
    assert len(result.stderr) <= MESSAGE_LIMIT + 200
