"""Batch rules: validation of a whole batch, duplicates, and what a push does (plan_push)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from evsenet.domain.errors import DomainError, RecordProblem
from evsenet.domain.evse import EvseInput, OperatorScope
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import (
    MAX_PAGE_SIZE,
    EvseFilter,
    KnownEvse,
    Page,
    PushAction,
    PushPlan,
    StoredEvse,
    ValidatedBatch,
    plan_push,
    validate_batch,
)
from evsenet.formats import ParsedBatch, SourceRecord

SCOPE = OperatorScope(OperatorId.parse("DE*ABC"))


def evse(evse_id: str | None, **changes: Any) -> EvseInput:
    values: dict[str, Any] = {
        "evse_id": evse_id,
        "charging_station_id": "S1",
        "country": "DEU",
        "city": "Berlin",
        "postal_code": "10115",
        "street": "Invalidenstraße",
        "house_number": "1",
        "latitude": "52.53",
        "longitude": "13.38",
        "power_type": "DC",
        "output_kw": "150",
        "plugs": ("CCS Combo 2 Plug (Cable Attached)",),
    }
    return EvseInput(**{**values, **changes})


def batch(
    action: PushAction, *records: EvseInput | RecordProblem, kind: str = "index", start: int = 0
) -> ParsedBatch:
    items: list[SourceRecord | RecordProblem] = []
    for i, item in enumerate(records, start):
        items.append(item if isinstance(item, RecordProblem) else SourceRecord(i, item))
    return ParsedBatch(action, kind, items)


def codes(problems: list[RecordProblem]) -> list[tuple[int, str, str]]:
    return [(p.position, p.field, p.code) for p in problems]


# --- PushAction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("fullLoad", PushAction.FULL_LOAD),
        ("FULLLOAD", PushAction.FULL_LOAD),
        (" insert ", PushAction.INSERT),
        ("Update", PushAction.UPDATE),
        ("delete", PushAction.DELETE),
        ("upsert", PushAction.UPSERT),
    ],
)
def test_action_names(text: str, action: PushAction) -> None:
    assert PushAction.parse(text) is action


@pytest.mark.parametrize("text", ["full_load", "replace", "", "remove"])
def test_unknown_action(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        PushAction.parse(text)
    assert caught.value.code == "action.unknown"
    assert repr(text) in caught.value.message


# --- validate_batch ---------------------------------------------------------------------


def test_valid_batch_keeps_positions_and_order() -> None:
    result = validate_batch(
        batch(PushAction.INSERT, evse("DE*ABC*E1"), evse("DE*ABC*E2"), kind="line", start=2),
        SCOPE,
    )
    assert result.problems == []
    assert [(v.position, v.record.evse_id.normalised) for v in result.records] == [
        (2, "DEABCE1"),
        (3, "DEABCE2"),
    ]
    assert result.action is PushAction.INSERT
    assert result.position_kind == "line"


def test_every_bad_record_is_reported_with_position_id_and_field() -> None:
    result = validate_batch(
        batch(
            PushAction.UPSERT,
            evse("DE*ABC*E1"),
            evse("DE*ABC*E2", output_kw="-1", power_type="AC"),
            evse("DE*ABC*E3"),
            evse("DE*ABC*E4", latitude="100"),
            kind="line",
            start=2,
        ),
        SCOPE,
    )
    assert codes(result.problems) == [
        (3, "power_type", "power_type.unknown"),
        (3, "output_kw", "output.not_positive"),
        (5, "latitude", "latitude.out_of_range"),
    ]
    assert {p.position_kind for p in result.problems} == {"line"}
    assert [p.evse_id for p in result.problems] == ["DE*ABC*E2", "DE*ABC*E2", "DE*ABC*E4"]
    assert [v.position for v in result.records] == [2, 4]
    assert result.refused_ids == {"DEABCE2", "DEABCE4"}
    as_dict = result.problems[0].as_dict()
    assert as_dict["line"] == 3
    assert as_dict["evse_id"] == "DE*ABC*E2"
    assert as_dict["field"] == "power_type"


def test_problems_of_the_reader_pass_through() -> None:
    broken = RecordProblem(3, "line", None, "row", "csv.row.malformed", "3 fields, 13 expected")
    result = validate_batch(
        ParsedBatch(
            PushAction.UPSERT,
            "line",
            [SourceRecord(2, evse("DE*ABC*E1")), broken, SourceRecord(4, evse("DE*ABC*E2"))],
        ),
        SCOPE,
    )
    assert result.problems == [broken]
    assert len(result.records) == 2


def test_delete_needs_only_an_evse_id_the_operator_may_push() -> None:
    result = validate_batch(
        batch(
            PushAction.DELETE,
            EvseInput("DE*ABC*E1"),
            EvseInput("FR*ABC*E2"),
            EvseInput("DE*ABC"),
            EvseInput(None, city="Berlin"),
        ),
        SCOPE,
    )
    assert [v.record.evse_id.normalised for v in result.records] == ["DEABCE1"]
    assert codes(result.problems) == [
        (1, "evse_id", "evse_id.operator_mismatch"),
        (2, "evse_id", "evse_id.malformed"),
        (3, "evse_id", "evse_id.missing"),
    ]


def test_progress_is_reported_every_thousand_records() -> None:
    seen: list[int] = []
    records = [evse(f"DE*ABC*E{i}") for i in range(2500)]
    validate_batch(batch(PushAction.UPSERT, *records), SCOPE, seen.append)
    assert seen == [1000, 2000]


# --- duplicates -------------------------------------------------------------------------


def test_duplicates_are_refused_at_every_occurrence() -> None:
    result = validate_batch(
        batch(
            PushAction.UPSERT,
            evse("DE*ABC*E1"),
            evse("DE*ABC*E2"),
            evse("deabce1", city="Potsdam"),
            evse("DE*ABC*E3"),
            evse("DEABC*E1"),
            evse("DE*ABC*E2"),
        ),
        SCOPE,
    )
    assert codes(result.problems) == [
        (0, "evse_id", "evse_id.duplicate_in_batch"),
        (1, "evse_id", "evse_id.duplicate_in_batch"),
        (2, "evse_id", "evse_id.duplicate_in_batch"),
        (4, "evse_id", "evse_id.duplicate_in_batch"),
        (5, "evse_id", "evse_id.duplicate_in_batch"),
    ]
    assert [v.record.evse_id.normalised for v in result.records] == ["DEABCE3"]
    assert result.refused_ids == {"DEABCE1", "DEABCE2"}
    first = result.problems[0]
    assert "2" in first.message
    assert "4" in first.message
    assert "DE*ABC*E1" in first.message


def test_duplicates_and_field_problems_are_sorted_by_position() -> None:
    result = validate_batch(
        batch(
            PushAction.INSERT,
            evse("DE*ABC*E1"),
            evse("DE*ABC*E9", city=""),
            evse("DE*ABC*E1"),
            kind="line",
            start=2,
        ),
        SCOPE,
    )
    assert codes(result.problems) == [
        (2, "evse_id", "evse_id.duplicate_in_batch"),
        (3, "city", "city.missing"),
        (4, "evse_id", "evse_id.duplicate_in_batch"),
    ]


def test_a_duplicate_is_refused_even_when_its_other_occurrence_is_invalid() -> None:
    # Two versions of one EVSE in one batch: neither may land, whatever else is wrong.
    result = validate_batch(
        batch(PushAction.UPSERT, evse("DE*ABC*E1"), evse("DE*ABC*E1", output_kw="0")),
        SCOPE,
    )
    assert result.records == []
    assert (0, "evse_id", "evse_id.duplicate_in_batch") in codes(result.problems)


def test_records_of_one_source_row_with_one_id_are_duplicates() -> None:
    # Register formats give every charging point of a row the row's line as position;
    # two points of one row that carry the same EVSE ID are still one EVSE sent twice.
    result = validate_batch(
        ParsedBatch(
            PushAction.UPSERT,
            "line",
            [
                SourceRecord(2, evse("DE*ABC*E1")),
                SourceRecord(3, evse("DE*ABC*E2")),
                SourceRecord(3, evse("DE*ABC*E2", output_kw="50")),
            ],
        ),
        SCOPE,
    )
    assert [v.record.evse_id.normalised for v in result.records] == ["DEABCE1"]
    assert codes(result.problems) == [(3, "evse_id", "evse_id.duplicate_in_batch")] * 2


# --- plan_push: every action against every state ------------------------------------------

KNOWN = {
    "DEABCE1": KnownEvse(11, withdrawn=False),  # active
    "DEABCE2": KnownEvse(12, withdrawn=True),  # withdrawn
}
NEW, ACTIVE, WITHDRAWN = "DE*ABC*E3", "DE*ABC*E1", "DE*ABC*E2"


def plan(action: PushAction, *ids: str, known: dict[str, KnownEvse] | None = None) -> PushPlan:
    records = [EvseInput(i) if action is PushAction.DELETE else evse(i) for i in ids]
    validated = validate_batch(batch(action, *records), SCOPE)
    assert validated.problems == []
    return plan_push(validated, KNOWN if known is None else known)


def outcome(result: PushPlan) -> tuple[object, ...]:
    return (
        [r.evse_id.normalised for r in result.inserts],
        [(pk, r.evse_id.normalised) for pk, r in result.restores],
        [(pk, r.evse_id.normalised) for pk, r in result.refreshes],
        sorted(result.withdrawals),
        result.already_withdrawn,
        codes(result.problems),
    )


REFUSE_EXISTS = [(0, "evse_id", "evse.already_exists")]
REFUSE_UNKNOWN = [(0, "evse_id", "evse.unknown")]
REFUSE_WITHDRAWN = [(0, "evse_id", "evse.withdrawn")]


@pytest.mark.parametrize(
    ("action", "evse_id", "expected"),
    [
        # new EVSE
        (PushAction.FULL_LOAD, NEW, (["DEABCE3"], [], [], [11], 0, [])),
        (PushAction.INSERT, NEW, (["DEABCE3"], [], [], [], 0, [])),
        (PushAction.UPSERT, NEW, (["DEABCE3"], [], [], [], 0, [])),
        (PushAction.UPDATE, NEW, ([], [], [], [], 0, REFUSE_UNKNOWN)),
        (PushAction.DELETE, NEW, ([], [], [], [], 0, REFUSE_UNKNOWN)),
        # active EVSE (changed or not: the store compares the values)
        (PushAction.FULL_LOAD, ACTIVE, ([], [], [(11, "DEABCE1")], [], 0, [])),
        (PushAction.INSERT, ACTIVE, ([], [], [], [], 0, REFUSE_EXISTS)),
        (PushAction.UPSERT, ACTIVE, ([], [], [(11, "DEABCE1")], [], 0, [])),
        (PushAction.UPDATE, ACTIVE, ([], [], [(11, "DEABCE1")], [], 0, [])),
        (PushAction.DELETE, ACTIVE, ([], [], [], [11], 0, [])),
        # withdrawn EVSE
        (PushAction.FULL_LOAD, WITHDRAWN, ([], [(12, "DEABCE2")], [], [11], 0, [])),
        (PushAction.INSERT, WITHDRAWN, ([], [(12, "DEABCE2")], [], [], 0, [])),
        (PushAction.UPSERT, WITHDRAWN, ([], [(12, "DEABCE2")], [], [], 0, [])),
        (PushAction.UPDATE, WITHDRAWN, ([], [], [], [], 0, REFUSE_WITHDRAWN)),
        (PushAction.DELETE, WITHDRAWN, ([], [], [], [], 1, [])),
    ],
    ids=lambda value: value.value if isinstance(value, PushAction) else None,
)
def test_action_against_state(action: PushAction, evse_id: str, expected: tuple[object]) -> None:
    assert outcome(plan(action, evse_id)) == expected


def test_refusal_messages_name_the_evse_and_the_way_out() -> None:
    exists = plan(PushAction.INSERT, "de*abc*e1").problems[0]
    assert exists.evse_id == "de*abc*e1"
    assert "'de*abc*e1'" in exists.message
    assert "update" in exists.message
    unknown = plan(PushAction.UPDATE, NEW).problems[0]
    assert "'DE*ABC*E3'" in unknown.message
    assert "insert" in unknown.message
    withdrawn = plan(PushAction.UPDATE, WITHDRAWN).problems[0]
    assert "withdrawn" in withdrawn.message


def test_spelling_does_not_matter_against_the_inventory() -> None:
    assert outcome(plan(PushAction.UPSERT, "deabc*e1")) == ([], [], [(11, "DEABCE1")], [], 0, [])


def test_a_mixed_push_plans_each_record_on_its_own() -> None:
    result = plan(PushAction.UPSERT, NEW, ACTIVE, WITHDRAWN)
    assert outcome(result) == (["DEABCE3"], [(12, "DEABCE2")], [(11, "DEABCE1")], [], 0, [])


def test_insert_refuses_only_the_existing_records() -> None:
    result = plan(PushAction.INSERT, NEW, ACTIVE, "DE*ABC*E4")
    assert [r.evse_id.normalised for r in result.inserts] == ["DEABCE3", "DEABCE4"]
    assert codes(result.problems) == [(1, "evse_id", "evse.already_exists")]


# --- fullLoad withdrawal ------------------------------------------------------------------

INVENTORY = {
    "DEABCE1": KnownEvse(1, withdrawn=False),
    "DEABCE2": KnownEvse(2, withdrawn=False),
    "DEABCE3": KnownEvse(3, withdrawn=False),
    "DEABCE4": KnownEvse(4, withdrawn=True),
}


def test_full_load_withdraws_every_active_evse_it_does_not_name() -> None:
    result = plan(PushAction.FULL_LOAD, "DE*ABC*E2", known=INVENTORY)
    assert sorted(result.withdrawals) == [1, 3]  # 4 is withdrawn already
    assert [pk for pk, _ in result.refreshes] == [2]


def test_empty_full_load_withdraws_everything() -> None:
    validated = validate_batch(batch(PushAction.FULL_LOAD), SCOPE)
    assert sorted(plan_push(validated, INVENTORY).withdrawals) == [1, 2, 3]


@pytest.mark.parametrize("action", [PushAction.INSERT, PushAction.UPSERT, PushAction.UPDATE])
def test_other_actions_withdraw_nothing_they_do_not_name(action: PushAction) -> None:
    assert plan(action, "DE*ABC*E2", known=INVENTORY).withdrawals == []


def test_full_load_keeps_evses_whose_records_were_refused() -> None:
    validated = validate_batch(
        batch(
            PushAction.FULL_LOAD,
            evse("DE*ABC*E1", output_kw="0"),  # refused for a field
            evse("deabc*e2", city=""),  # refused, other spelling
            evse("DE*ABC*E9"),
        ),
        SCOPE,
    )
    result = plan_push(validated, INVENTORY)
    assert sorted(result.withdrawals) == [3]
    assert [r.evse_id.normalised for r in result.inserts] == ["DEABCE9"]
    assert {p.code for p in result.problems} == {"output.not_positive", "city.missing"}


def test_full_load_keeps_evses_sent_twice() -> None:
    validated = validate_batch(
        batch(PushAction.FULL_LOAD, evse("DE*ABC*E1"), evse("DE*ABC*E2"), evse("DE*ABC*E1")),
        SCOPE,
    )
    result = plan_push(validated, INVENTORY)
    assert sorted(result.withdrawals) == [3]
    assert [pk for pk, _ in result.refreshes] == [2]


def test_full_load_keeps_evses_whose_rows_the_reader_refused() -> None:
    # A record the format reader could not read, but whose EVSE ID it could tell,
    # is a refused record too: a bad record is no reason to withdraw the EVSE.
    unreadable = RecordProblem(
        1, "index", "DE*ABC*E1", "ChargingFacilities", "oicp.record.malformed", "not a list"
    )
    validated = validate_batch(
        ParsedBatch(
            PushAction.FULL_LOAD,
            "index",
            [SourceRecord(0, evse("DE*ABC*E2")), unreadable, SourceRecord(2, evse("DE*ABC*E3"))],
        ),
        SCOPE,
    )
    assert sorted(plan_push(validated, INVENTORY).withdrawals) == []


def test_refused_record_with_unreadable_id_protects_nothing() -> None:
    validated = validate_batch(
        batch(PushAction.FULL_LOAD, evse("DE*ABC", city=""), evse("DE*ABC*E2")), SCOPE
    )
    assert validated.refused_ids == set()
    assert sorted(plan_push(validated, INVENTORY).withdrawals) == [1, 3]


def test_plan_keeps_the_validation_problems() -> None:
    validated = ValidatedBatch(PushAction.UPSERT, "line")
    problem = RecordProblem(2, "line", "DE*ABC*E1", "city", "city.missing", "City is required")
    validated.problems.append(problem)
    assert plan_push(validated, {}).problems == [problem]


# --- filters, pages, stored EVSEs ---------------------------------------------------------


def test_output_range_must_be_ordered() -> None:
    EvseFilter(min_output_kw=Decimal(50), max_output_kw=Decimal(50))
    with pytest.raises(DomainError) as caught:
        EvseFilter(min_output_kw=Decimal("50.01"), max_output_kw=Decimal(50))
    assert caught.value.code == "filter.output_range"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"limit": 0}, "page.limit"),
        ({"limit": MAX_PAGE_SIZE + 1}, "page.limit"),
        ({"offset": -1}, "page.offset"),
        ({"offset": 2**31}, "page.offset"),
        ({"sort": "latitude"}, "page.sort"),
        ({"sort": "evse_id; DROP TABLE evses"}, "page.sort"),
    ],
)
def test_page_limits(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        replace(Page(), **changes)
    assert caught.value.code == code


def test_page_accepts_its_bounds() -> None:
    assert Page(limit=1).limit == 1
    assert Page(limit=MAX_PAGE_SIZE, offset=10**6, sort="output_kw").sort == "output_kw"


def test_stored_evse_status() -> None:
    validated = validate_batch(batch(PushAction.UPSERT, evse("DE*ABC*E1")), SCOPE)
    record = validated.records[0].record
    now = datetime.now(UTC)
    assert StoredEvse(record, now, now, None).status == "active"
    assert StoredEvse(record, now, now, now).status == "withdrawn"
