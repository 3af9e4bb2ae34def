"""The malformed-record corpus (tests/fixtures/malformed): every bad record is refused at
its position with its code, the database stays as it was, and skip-invalid lands the rest.

The cases and their expected problems are the table of the corpus's README.md.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from evsenet.domain.errors import DomainError
from evsenet.domain.evse import EvseInput, EvseRecord, OperatorScope, validate_evse
from evsenet.domain.ids import EvseId, OperatorId
from evsenet.domain.inventory import Page, PushAction
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.formats.afdc import read_afdc
from evsenet.formats.bnetza import read_bnetza
from evsenet.formats.csv import read_evse_csv
from evsenet.formats.oicp import read_oicp_push_bytes
from evsenet.services.inventory import ImportRefused, evse_filter, import_evses, list_evses
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store
from tests.integration.snapshots import dump

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "malformed"
OPERATOR = "DE*ABC"
OPERATOR_ID = OperatorId.parse(OPERATOR)
SCOPE = OperatorScope(OPERATOR_ID)
KINDS = {"line": "line", "lines": "line", "index": "index", "indexes": "index"}


@dataclass(frozen=True)
class Case:
    file: str
    format: str
    action: PushAction
    wrong: str
    position_kind: str
    expected: tuple[tuple[int, str, str], ...]
    """(position, field, code) of every problem, one entry per occurrence."""


def _cells(line: str) -> list[str]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def load_cases() -> list[Case]:
    text = (CORPUS / "README.md").read_text("utf-8")
    table = text.split("<!-- corpus:start -->")[1].split("<!-- corpus:end -->")[0]
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    header = _cells(lines[0])
    assert header == [
        "File", "Format", "Action", "What is wrong", "Position", "Field", "Expected code",
    ]  # fmt: skip
    cases = []
    for line in lines[2:]:
        file, kind, action, wrong, position, field, code = _cells(line)
        word, numbers = position.split(" ", 1)
        positions = [int(n) for n in numbers.split(",")]
        cases.append(
            Case(
                file,
                kind,
                PushAction.parse(action),
                wrong,
                KINDS[word],
                tuple((p, field, code) for p in positions),
            )
        )
    return cases


CASES = load_cases()


@dataclass(frozen=True)
class FileCase:
    file: str
    format: str
    action: PushAction
    wrong: str
    code: str
    count: int | None
    """The count of withdrawals to confirm, where the refusal names one."""


def load_file_cases() -> list[FileCase]:
    text = (CORPUS / "README.md").read_text("utf-8")
    table = text.split("<!-- files:start -->")[1].split("<!-- files:end -->")[0]
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    assert _cells(lines[0]) == [
        "File", "Format", "Action", "What is wrong", "Expected code", "Count",
    ]  # fmt: skip
    cases = []
    for line in lines[2:]:
        file, kind, action, wrong, code, count = _cells(line)
        number = None if count == "–" else int(count)
        cases.append(FileCase(file, kind, PushAction.parse(action), wrong, code, number))
    return cases


FILE_CASES = load_file_cases()


def read(case: Case | FileCase) -> ParsedBatch:
    data = (CORPUS / case.file).read_bytes()
    if case.format == "oicp":
        batch = read_oicp_push_bytes(data)
        assert batch.action is case.action, "the body's ActionType must match the table"
        return batch
    text = data.decode("utf-8")
    if case.format == "csv":
        return read_evse_csv(text, case.action)
    if case.format == "bnetza":
        return read_bnetza(text, OPERATOR_ID, case.action)
    if case.format == "afdc":
        return read_afdc(text, OPERATOR_ID, case.action)
    raise AssertionError(f"unknown format {case.format!r} in the corpus table")


SEEDS = [
    EvseInput(
        f"DE*ABC*E000{n}",
        f"SEED-{n}",
        "DEU",
        "Hamburg",
        "20095",
        "Mönckebergstraße",
        str(n),
        "53.550000",
        "10.000000",
        "DC",
        "150",
        ("CCS Combo 2 Plug (Cable Attached)",),
    )
    for n in (1, 2, 3)
]
SEED_RECORDS = {r.evse_id.normalised: r for r in (validate_evse(s, SCOPE) for s in SEEDS)}


def seed(store: Store) -> None:
    register_operator(store, OPERATOR, "ABC Laden")
    items = [SourceRecord(i, record) for i, record in enumerate(SEEDS)]
    summary = import_evses(store, OPERATOR, ParsedBatch(PushAction.UPSERT, "index", list(items)))
    assert summary.inserted == len(SEEDS)


def inventory(store: Store) -> dict[str, tuple[str, EvseRecord]]:
    page = list_evses(store, OPERATOR, evse_filter(include_withdrawn=True), Page(limit=1000))
    return {i.record.evse_id.normalised: (i.status, i.record) for i in page.items}


def problems(found: list[Any]) -> list[tuple[int, str, str]]:
    return sorted((p.position, p.field, p.code) for p in found)


# --- the corpus itself ------------------------------------------------------------------


def test_the_corpus_table_lists_every_file_once() -> None:
    files = sorted(
        p.name
        for p in CORPUS.iterdir()
        if p.name != "README.md" and not p.name.startswith("body_")  # tests/api: bodies
    )
    listed = [case.file for case in CASES] + [case.file for case in FILE_CASES]
    assert sorted(listed) == files
    assert len(set(listed)) == len(listed)
    assert len(CASES) >= 30


def test_the_corpus_covers_every_family_of_fault() -> None:
    codes = {code for case in CASES for _, _, code in case.expected}
    assert codes >= {
        "evse_id.missing", "evse_id.malformed", "evse_id.too_long", "evse_id.unknown_country",
        "evse_id.operator_mismatch", "evse_id.duplicate_in_batch", "power_type.unknown",
        "output.not_positive", "output.too_large", "output.malformed", "country.unknown",
        "time_zone.required", "time_zone.unknown", "time_zone.country_mismatch",
        "csv.row.malformed", "latitude.out_of_range", "longitude.malformed", "plug.unknown",
        "city.missing", "evse.unknown", "evse.already_exists", "output.too_many_decimals",
        "csv.row.formula", "city.control_character", "street.control_character",
    }  # fmt: skip
    assert {case.code for case in FILE_CASES} >= {
        "import.no_records", "batch.withdrawals_unconfirmed",
    }  # fmt: skip
    assert {case.format for case in CASES} == {"csv", "oicp", "bnetza", "afdc"}


# --- every case on both databases -------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_malformed_record_refuses_the_batch_and_is_skipped_on_request(
    store: Store, case: Case
) -> None:
    seed(store)
    before = dump(store)
    batch = read(case)

    with pytest.raises(ImportRefused) as caught:
        import_evses(store, OPERATOR, batch)
    refusal = caught.value
    assert problems(refusal.problems) == sorted(case.expected), case.wrong
    assert {p.position_kind for p in refusal.problems} == {case.position_kind}
    assert all(p.message for p in refusal.problems)
    assert refusal.summary.committed is False
    assert refusal.summary.received == len(batch.items)
    assert dump(store) == before, "a refused batch must leave the database unchanged"

    summary = import_evses(store, OPERATOR, read(case), skip_invalid=True)
    assert summary.committed is True
    assert problems(summary.rejected) == sorted(case.expected)

    bad = {position for position, _, _ in case.expected}
    good = [
        item for item in batch.items if isinstance(item, SourceRecord) and item.position not in bad
    ]
    assert good, "every case keeps some valid records"
    landed = {r.evse_id.normalised: r for r in (validate_evse(i.evse, SCOPE) for i in good)}
    assert summary.inserted + summary.updated + summary.unchanged == len(landed)
    assert summary.withdrawn == 0

    after = inventory(store)
    assert set(after) == set(SEED_RECORDS) | set(landed)
    for key, record in landed.items():
        assert after[key] == ("active", record)
    for key, record in SEED_RECORDS.items():
        if key not in landed:
            assert after[key] == ("active", record), "a seeded EVSE was changed"


def test_duplicate_problems_name_each_other(store: Store) -> None:
    case = next(c for c in CASES if c.file == "csv_duplicate_evse_id.csv")
    seed(store)
    with pytest.raises(ImportRefused) as caught:
        import_evses(store, OPERATOR, read(case))
    messages = {p.position: p.message for p in caught.value.problems}
    assert "line 4" in messages[2]
    assert "line 2" in messages[4]
    sent = [EvseId.parse(p.evse_id or "").normalised for p in caught.value.problems]
    assert Counter(sent) == Counter({"DEABCE1001": 2})


@pytest.mark.parametrize("case", FILE_CASES, ids=[case.file for case in FILE_CASES])
def test_a_file_refused_as_a_whole_writes_nothing(store: Store, case: FileCase) -> None:
    seed(store)
    before = dump(store)
    with pytest.raises(DomainError) as caught:
        import_evses(store, OPERATOR, read(case), skip_invalid=True)
    assert caught.value.code == case.code, case.wrong
    assert case.count is None or f"confirm_withdrawals={case.count}" in caught.value.message
    assert dump(store) == before, "a refused file must leave the database unchanged"
    if case.count is not None:
        summary = import_evses(store, OPERATOR, read(case), confirm_withdrawals=case.count)
        assert (summary.committed, summary.withdrawn) == (True, case.count)
