"""The malformed-body corpus (tests/fixtures/malformed/README.md, "Malformed bodies"):
each body is refused as a whole with its problem, and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from evsenet.api import create_app

if TYPE_CHECKING:
    from tests.api.conftest import Api

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "malformed"
LIMIT = 1024 * 1024


@dataclass(frozen=True)
class BodyCase:
    file: str
    headers: dict[str, str]
    wrong: str
    status: int
    code: str


def _headers(cell: str) -> dict[str, str]:
    if not cell:
        return {"Content-Type": "application/json"}
    if cell.startswith("charset="):
        return {"Content-Type": f"application/json; {cell}"}
    name, _, value = cell.partition(": ")
    return {"Content-Type": "application/json", name: value}


def load_cases() -> list[BodyCase]:
    text = (CORPUS / "README.md").read_text("utf-8")
    table = text.split("<!-- bodies:start -->")[1].split("<!-- bodies:end -->")[0]
    rows = [line for line in table.strip().splitlines() if line.startswith("|")][2:]
    cases = []
    for row in rows:
        file, headers, wrong, status, code = (cell.strip() for cell in row.strip("|").split("|"))
        cases.append(BodyCase(file, _headers(headers), wrong, int(status), code))
    return cases


CASES = load_cases()


def test_every_body_file_is_in_the_table() -> None:
    files = {path.name for path in CORPUS.glob("body_*")}
    assert files == {case.file for case in CASES}
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}-{c.code}" for c in CASES])
def test_a_malformed_body_is_refused_whole_and_writes_nothing(api: Api, case: BodyCase) -> None:
    with TestClient(create_app(api.store, max_body_bytes=LIMIT)) as client:
        response = client.post(
            "/api/v1/evses/push",
            content=(CORPUS / case.file).read_bytes(),
            headers={**api.auth(api.A), **case.headers},
        )
    api.problem(response, case.status, case.code)
    assert api.evse_ids(include_withdrawn="true") == []
