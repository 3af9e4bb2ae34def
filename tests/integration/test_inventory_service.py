"""The inventory services on SQLite and PostgreSQL: pushes, counts, history, sub-operators,
tenant isolation, listing, database invariants, all-or-nothing and crash safety."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from evsenet.domain.errors import Conflict, DomainError, NotFound, RecordProblem
from evsenet.domain.evse import EvseInput, OperatorScope, validate_evse
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import Page, PushAction
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.services.inventory import (
    ImportRefused,
    ImportSummary,
    evse_filter,
    get_evse,
    import_evses,
    list_evses,
)
from evsenet.services.operators import (
    declare_sub_operators,
    get_operator,
    list_operators,
    register_operator,
    withdraw_sub_operator,
)
from evsenet.store.engine import Store
from evsenet.store.repositories.evses import EvseRepository
from evsenet.store.repositories.operators import OperatorRepository
from evsenet.store.tables import evses, operators, sub_operators
from tests.integration.snapshots import dump

A, B = "DE*ABC", "DE*BBB"
SCOPE_A = OperatorScope(OperatorId.parse(A))


def evse(evse_id: str, **changes: Any) -> EvseInput:
    values: dict[str, Any] = {
        "evse_id": evse_id,
        "charging_station_id": "STATION 1",
        "country": "DEU",
        "city": "Berlin",
        "postal_code": "10115",
        "street": "Invalidenstraße",
        "house_number": "1",
        "latitude": "52.530000",
        "longitude": "13.380000",
        "power_type": "AC_3_PHASE",
        "output_kw": "22",
        "plugs": ("Type 2 Outlet",),
    }
    return EvseInput(**{**values, **changes})


def push(
    store: Store,
    operator: str,
    action: PushAction,
    *records: EvseInput | RecordProblem,
    skip_invalid: bool = False,
    kind: str = "index",
    confirm_withdrawals: int | None = None,
) -> ImportSummary:
    items: list[SourceRecord | RecordProblem] = [
        r if isinstance(r, RecordProblem) else SourceRecord(i, r) for i, r in enumerate(records)
    ]
    return import_evses(
        store,
        operator,
        ParsedBatch(action, kind, items),
        skip_invalid=skip_invalid,
        confirm_withdrawals=confirm_withdrawals,
    )


def counts(summary: ImportSummary) -> tuple[int, int, int, int]:
    return summary.inserted, summary.updated, summary.unchanged, summary.withdrawn


def refused(
    store: Store, operator: str, action: PushAction, *records: EvseInput
) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRefused) as caught:
        push(store, operator, action, *records)
    assert caught.value.code == "batch.rejected"
    assert caught.value.summary.committed is False
    return [(p.position, p.field, p.code) for p in caught.value.problems]


def statuses(store: Store, operator: str = A) -> dict[str, str]:
    page = list_evses(store, operator, evse_filter(include_withdrawn=True), Page(limit=1000))
    return {item.record.evse_id.normalised: item.status for item in page.items}


def ids(store: Store, operator: str = A, page: Page | None = None, **criteria: Any) -> list[str]:
    listed = list_evses(store, operator, evse_filter(**criteria), page or Page())
    return [item.record.evse_id.normalised for item in listed.items]


# --- every action against every state ----------------------------------------------------

E1, E2, E3 = "DE*ABC*E1", "DE*ABC*E2", "DE*ABC*E3"


def _seed_states(store: Store) -> None:
    """E1 active, E2 withdrawn, E3 unknown."""
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse(E1), evse(E2))
    push(store, A, PushAction.DELETE, EvseInput(E2))


CASES = {
    "new": evse(E3),
    "active-unchanged": evse(E1),
    "active-changed": evse(E1, city="Potsdam"),
    "withdrawn": evse(E2, output_kw="50"),
}
# (inserted, updated, unchanged, withdrawn) or the code of the refusal.
EXPECTED: dict[tuple[PushAction, str], tuple[int, int, int, int] | str] = {
    (PushAction.FULL_LOAD, "new"): (1, 0, 0, 1),
    (PushAction.FULL_LOAD, "active-unchanged"): (0, 0, 1, 0),
    (PushAction.FULL_LOAD, "active-changed"): (0, 1, 0, 0),
    (PushAction.FULL_LOAD, "withdrawn"): (1, 0, 0, 1),
    (PushAction.INSERT, "new"): (1, 0, 0, 0),
    (PushAction.INSERT, "active-unchanged"): "evse.already_exists",
    (PushAction.INSERT, "active-changed"): "evse.already_exists",
    (PushAction.INSERT, "withdrawn"): (1, 0, 0, 0),
    (PushAction.UPDATE, "new"): "evse.unknown",
    (PushAction.UPDATE, "active-unchanged"): (0, 0, 1, 0),
    (PushAction.UPDATE, "active-changed"): (0, 1, 0, 0),
    (PushAction.UPDATE, "withdrawn"): "evse.withdrawn",
    (PushAction.DELETE, "new"): "evse.unknown",
    (PushAction.DELETE, "active-unchanged"): (0, 0, 0, 1),
    (PushAction.DELETE, "active-changed"): (0, 0, 0, 1),
    (PushAction.DELETE, "withdrawn"): (0, 0, 1, 0),
    (PushAction.UPSERT, "new"): (1, 0, 0, 0),
    (PushAction.UPSERT, "active-unchanged"): (0, 0, 1, 0),
    (PushAction.UPSERT, "active-changed"): (0, 1, 0, 0),
    (PushAction.UPSERT, "withdrawn"): (1, 0, 0, 0),
}
# The statuses after a successful push.
AFTER: dict[tuple[PushAction, str], dict[str, str]] = {
    (PushAction.FULL_LOAD, "new"): {
        "DEABCE1": "withdrawn",
        "DEABCE2": "withdrawn",
        "DEABCE3": "active",
    },
    (PushAction.FULL_LOAD, "withdrawn"): {"DEABCE1": "withdrawn", "DEABCE2": "active"},
    (PushAction.INSERT, "new"): {"DEABCE1": "active", "DEABCE2": "withdrawn", "DEABCE3": "active"},
    (PushAction.INSERT, "withdrawn"): {"DEABCE1": "active", "DEABCE2": "active"},
    (PushAction.UPSERT, "new"): {"DEABCE1": "active", "DEABCE2": "withdrawn", "DEABCE3": "active"},
    (PushAction.UPSERT, "withdrawn"): {"DEABCE1": "active", "DEABCE2": "active"},
    (PushAction.DELETE, "active-unchanged"): {"DEABCE1": "withdrawn", "DEABCE2": "withdrawn"},
    (PushAction.DELETE, "active-changed"): {"DEABCE1": "withdrawn", "DEABCE2": "withdrawn"},
}


@pytest.mark.parametrize(
    ("action", "state"), list(EXPECTED), ids=[f"{a.value}-{s}" for a, s in EXPECTED]
)
def test_action_against_state(store: Store, action: PushAction, state: str) -> None:
    _seed_states(store)
    before = dump(store)
    record = CASES[state]
    if action is PushAction.DELETE:
        record = EvseInput(record.evse_id)
    expected = EXPECTED[(action, state)]
    if isinstance(expected, str):
        assert refused(store, A, action, record) == [(0, "evse_id", expected)]
        assert dump(store) == before
        return
    summary = push(store, A, action, record, confirm_withdrawals=expected[3])
    assert counts(summary) == expected
    assert summary.committed is True
    assert summary.received == 1
    assert summary.rejected == []
    assert statuses(store) == AFTER.get(
        (action, state), {"DEABCE1": "active", "DEABCE2": "withdrawn"}
    )
    if state in {"active-changed", "withdrawn"} and action is not PushAction.DELETE:
        stored = get_evse(store, A, record.evse_id or "").record
        assert (stored.city, stored.output_kw) == (record.city, Decimal(record.output_kw or "0"))
    if expected == (0, 0, 1, 0):
        assert dump(store) == before  # unchanged means not even updated_at moved


def test_a_sequence_of_pushes_and_its_counts(store: Store) -> None:
    register_operator(store, A)
    first = push(store, A, PushAction.FULL_LOAD, evse(E1), evse(E2), evse(E3))
    assert counts(first) == (3, 0, 0, 0)
    second = push(
        store,
        A,
        PushAction.FULL_LOAD,
        evse(E1),
        evse(E2, power_type="DC", output_kw="150"),
        evse("DE*ABC*E4"),
    )
    assert counts(second) == (1, 1, 1, 1)
    assert second.as_dict() == {
        "action": "fullLoad",
        "received": 3,
        "inserted": 1,
        "updated": 1,
        "unchanged": 1,
        "withdrawn": 1,
        "rejected": [],
        "rejected_not_shown": 0,
        "committed": True,
    }
    assert statuses(store) == {
        "DEABCE1": "active",
        "DEABCE2": "active",
        "DEABCE3": "withdrawn",
        "DEABCE4": "active",
    }
    third = push(store, A, PushAction.UPSERT, evse(E3), evse("DE*ABC*E5"), evse(E1))
    assert counts(third) == (2, 0, 1, 0)
    assert counts(push(store, A, PushAction.DELETE, EvseInput(E3), EvseInput(E1))) == (
        0,
        0,
        0,
        2,
    )
    assert list_evses(store, A).total == 3
    assert list_evses(store, A, evse_filter(include_withdrawn=True)).total == 5


def test_counts_of_a_large_mixed_push(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, *[evse(f"DE*ABC*E{i}") for i in range(40)])
    changed = {3, 7, 11, 19, 23, 31}
    records = [
        evse(f"DE*ABC*E{i}", output_kw="50") if i in changed else evse(f"DE*ABC*E{i}")
        for i in range(5, 45)
    ]
    summary = push(store, A, PushAction.FULL_LOAD, *records)
    # E5…E39 are known (35), E40…E44 new (5), E0…E4 withdrawn (5).
    changed_known = len([i for i in changed if 5 <= i < 40])
    assert counts(summary) == (5, changed_known, 35 - changed_known, 5)


# --- history: withdrawn EVSEs keep their rows --------------------------------------------


def test_withdrawn_evse_keeps_its_row_and_comes_back(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse(E1), evse(E2))
    created = get_evse(store, A, E1)
    assert created.status == "active"
    assert created.withdrawn_at is None
    assert created.created_at == created.updated_at
    with store.engine.connect() as connection:
        pk = connection.execute(select(evses.c.id).where(evses.c.evse_id == "DEABCE1")).scalar()

    push(store, A, PushAction.FULL_LOAD, evse(E2))
    gone = get_evse(store, A, E1)
    assert gone.status == "withdrawn"
    assert gone.withdrawn_at is not None
    assert gone.withdrawn_at.tzinfo is not None
    assert gone.record == created.record  # the data is kept
    assert gone.created_at == created.created_at
    assert ids(store) == ["DEABCE2"]
    assert ids(store, include_withdrawn=True) == ["DEABCE1", "DEABCE2"]
    assert list_evses(store, A).total == 1

    back = push(store, A, PushAction.INSERT, evse(E1, city="Potsdam"))
    assert counts(back) == (1, 0, 0, 0)
    restored = get_evse(store, A, E1)
    assert restored.status == "active"
    assert restored.withdrawn_at is None
    assert restored.record.city == "Potsdam"
    assert restored.created_at == created.created_at
    assert restored.updated_at > created.updated_at
    with store.engine.connect() as connection:
        rows = connection.execute(select(evses.c.id).where(evses.c.evse_id == "DEABCE1")).all()
    assert [row.id for row in rows] == [pk]  # the same row: one history per EVSE


def test_updated_at_moves_only_when_something_changed(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse(E1))
    first = get_evse(store, A, E1)
    push(store, A, PushAction.UPDATE, evse(E1))
    assert get_evse(store, A, E1).updated_at == first.updated_at
    summary = push(store, A, PushAction.UPDATE, evse(E1, plugs=("Type 2 Outlet", "CHAdeMO")))
    assert counts(summary) == (0, 1, 0, 0)
    second = get_evse(store, A, E1)
    assert second.updated_at > first.updated_at
    assert second.record.plugs == ("Type 2 Outlet", "CHAdeMO")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("charging_station_id", "STATION 2"),
        ("country", "FRA"),
        ("city", "Potsdam"),
        ("postal_code", "10117"),
        ("street", "Chausseestraße"),
        ("house_number", "1a"),
        ("latitude", "52.530001"),
        ("longitude", "13.379999"),
        ("power_type", "DC"),
        ("output_kw", "22.01"),
        ("plugs", ("Type 2 Outlet", "CHAdeMO")),
        ("time_zone", "Europe/Busingen"),
    ],
)
def test_a_change_of_any_field_is_an_update(store: Store, name: str, value: Any) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse(E1))
    assert counts(push(store, A, PushAction.UPSERT, evse(E1))) == (0, 0, 1, 0)
    assert counts(push(store, A, PushAction.UPSERT, evse(E1, **{name: value}))) == (0, 1, 0, 0)
    assert get_evse(store, A, E1).record == validate_evse(evse(E1, **{name: value}), SCOPE_A)
    assert counts(push(store, A, PushAction.UPSERT, evse(E1, **{name: value}))) == (0, 0, 1, 0)


def test_stored_values_round_trip_exactly(store: Store) -> None:
    register_operator(store, A)
    push(
        store,
        A,
        PushAction.UPSERT,
        evse(
            " de*abc*e1*0 ",
            latitude="-33.868820",
            longitude="151.209296",
            output_kw="7.4",
            country="USA",
            time_zone="America/Chicago",
            plugs=("CHAdeMO", "Type 2 Outlet"),
        ),
    )
    stored = get_evse(store, A, "DEABCE10")
    assert stored.record.evse_id.sent == "de*abc*e1*0"
    assert stored.record.latitude == Decimal("-33.868820")
    assert str(stored.record.output_kw) == "7.40"
    assert stored.record.plugs == ("CHAdeMO", "Type 2 Outlet")
    assert stored.record.time_zone == "America/Chicago"
    assert stored.created_at.tzinfo is not None


def test_any_spelling_finds_the_evse(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse("DE*ABC*E123*1"))
    for spelling in ("DE*ABC*E123*1", "deabce1231", "DEABC*E1231"):
        assert get_evse(store, A, spelling).record.evse_id.normalised == "DEABCE1231"


def test_insert_of_another_spelling_is_the_same_evse(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse("DE*ABC*E123*1"))
    assert refused(store, A, PushAction.INSERT, evse("deabc*e1231")) == [
        (0, "evse_id", "evse.already_exists")
    ]


# --- operators and sub-operators ---------------------------------------------------------


def test_unknown_operator_cannot_push_or_read(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        push(store, A, PushAction.UPSERT, evse(E1))
    assert caught.value.code == "operator.unknown"
    with pytest.raises(NotFound):
        list_evses(store, A)
    with pytest.raises(NotFound):
        get_evse(store, A, E1)


def test_register_operator(store: Store) -> None:
    row = register_operator(store, "de*abc", "ABC technologies", ["DE*XYZ", "deqqq"])
    assert (row.operator_id.display, row.name) == ("DE*ABC", "ABC technologies")
    assert row.sub_operators == ("DE*QQQ", "DE*XYZ")
    register_operator(store, B)
    assert [o.operator_id.display for o in list_operators(store)] == ["DE*ABC", "DE*BBB"]
    with pytest.raises(Conflict) as caught:
        register_operator(store, "DE*ABC")
    assert caught.value.code == "operator.exists"
    with pytest.raises(DomainError) as too_long:
        register_operator(store, "DE*CCC", "x" * 101)
    assert too_long.value.code == "operator.name_too_long"
    with pytest.raises(DomainError) as control:
        register_operator(store, "DE*CCC", "ABC\x00")
    assert control.value.code == "operator.name_control_character"


def test_hub_pushes_for_declared_sub_operators_only(store: Store) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ"])
    summary = push(store, A, PushAction.UPSERT, evse("DE*XYZ*ETEST1"), evse(E1))
    assert counts(summary) == (2, 0, 0, 0)
    assert refused(store, A, PushAction.UPSERT, evse("DE*QQQ*E1")) == [
        (0, "evse_id", "evse_id.operator_mismatch")
    ]
    declare_sub_operators(store, A, ["DE*QQQ"])
    assert counts(push(store, A, PushAction.UPSERT, evse("DE*QQQ*E1"))) == (1, 0, 0, 0)


def test_numeric_sub_operator(store: Store) -> None:
    register_operator(store, A, sub_operators=["+49*810"])
    assert counts(push(store, A, PushAction.UPSERT, evse("+49*810*000*438"))) == (1, 0, 0, 0)
    assert get_evse(store, A, "49*810*000*438").record.evse_id.operator == "+49*810"


def test_a_prefix_has_one_owner(store: Store) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ"])
    register_operator(store, B)
    before = dump(store)
    for prefix, code in [
        ("DE*XYZ", "sub_operator.taken"),  # A's sub-operator
        ("de*xyz", "sub_operator.taken"),
        ("DE*ABC", "sub_operator.taken"),  # A's own ID
    ]:
        with pytest.raises(Conflict) as caught:
            declare_sub_operators(store, B, [prefix])
        assert caught.value.code == code
        assert "DE*ABC" in caught.value.message
    with pytest.raises(DomainError) as itself:
        declare_sub_operators(store, B, ["DEBBB"])
    assert itself.value.code == "sub_operator.is_self"
    with pytest.raises(Conflict) as exists:
        register_operator(store, "DE*XYZ")  # a hub's sub-operator cannot register itself
    assert exists.value.code == "operator.exists"
    with pytest.raises(Conflict):
        register_operator(store, "DE*NEW", sub_operators=["DE*XYZ"])
    assert dump(store) == before  # nothing of the refused registration remains


def test_declaring_sub_operators_is_all_or_nothing_and_idempotent(store: Store) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ"])
    register_operator(store, B)
    with pytest.raises(Conflict):
        declare_sub_operators(store, B, ["DE*NEW", "DE*XYZ"])
    assert get_operator(store, B).sub_operators == ()
    again = declare_sub_operators(store, A, ["DE*XYZ", "DE*NEW"])
    assert again.sub_operators == ("DE*NEW", "DE*XYZ")


def test_withdrawn_sub_operator_can_no_longer_be_pushed_and_can_be_claimed(store: Store) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ"])
    register_operator(store, B)
    push(store, A, PushAction.UPSERT, evse("DE*XYZ*E1"))
    assert withdraw_sub_operator(store, A, "DE*XYZ").operator.sub_operators == ()
    assert refused(store, A, PushAction.UPSERT, evse("DE*XYZ*E2")) == [
        (0, "evse_id", "evse_id.operator_mismatch")
    ]
    with pytest.raises(NotFound) as caught:
        withdraw_sub_operator(store, A, "DE*XYZ")
    assert caught.value.code == "sub_operator.unknown"
    assert declare_sub_operators(store, B, ["DE*XYZ"]).sub_operators == ("DE*XYZ",)


def test_a_batch_naming_another_operator_is_refused(store: Store) -> None:
    register_operator(store, A)
    batch = ParsedBatch(PushAction.UPSERT, "index", [SourceRecord(0, evse(E1))], "DE*QQQ")
    with pytest.raises(DomainError) as caught:
        import_evses(store, A, batch)
    assert caught.value.code == "batch.operator_mismatch"
    named = ParsedBatch(PushAction.UPSERT, "index", [SourceRecord(0, evse(E1))], "de*abc")
    assert counts(import_evses(store, A, named)) == (1, 0, 0, 0)


def _racing_owner_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let two transactions both check a prefix's owner before either claims it.

    Where the database serialises writers (SQLite's BEGIN IMMEDIATE) the second waits for
    the first, the barrier times out and the second sees the first's claim.
    """
    barrier = threading.Barrier(2, timeout=1)
    original = OperatorRepository.owner_of

    def owner_of(self: OperatorRepository, prefix: OperatorId) -> OperatorId | None:
        found = original(self, prefix)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return found

    monkeypatch.setattr(OperatorRepository, "owner_of", owner_of)


def _owners(store: Store, prefix: str) -> int:
    with store.engine.connect() as connection:
        own = connection.execute(
            select(operators.c.id).where(operators.c.operator_id == prefix)
        ).all()
        subs = connection.execute(
            select(sub_operators.c.operator_pk).where(sub_operators.c.prefix == prefix)
        ).all()
    return len(own) + len(subs)


def test_concurrent_claims_of_one_prefix_one_wins_the_other_conflicts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_operator(store, A)
    register_operator(store, B)
    _racing_owner_checks(monkeypatch)
    results = _concurrently(
        lambda: declare_sub_operators(store, A, ["DE*XYZ"]),
        lambda: declare_sub_operators(store, B, ["DE*XYZ"]),
    )
    assert _owners(store, "DEXYZ") == 1
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "OperatorRow"], results


def test_a_prefix_cannot_become_an_operator_and_a_sub_operator_at_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_operator(store, A)
    _racing_owner_checks(monkeypatch)
    results = _concurrently(
        lambda: declare_sub_operators(store, A, ["DE*XYZ"]),
        lambda: register_operator(store, "DE*XYZ"),
    )
    assert _owners(store, "DEXYZ") == 1, results
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "OperatorRow"], results


# --- tenant isolation --------------------------------------------------------------------


def test_operators_never_see_each_others_evses(store: Store) -> None:
    register_operator(store, A)
    register_operator(store, B)
    push(store, A, PushAction.UPSERT, evse(E1), evse(E2))
    push(store, B, PushAction.UPSERT, evse("DE*BBB*E1"))

    with pytest.raises(NotFound) as foreign:
        get_evse(store, B, E1)
    with pytest.raises(NotFound) as missing:
        get_evse(store, B, "DE*BBB*E99")
    assert foreign.value.code == missing.value.code == "evse.not_found"
    assert foreign.value.message.replace("DE*ABC*E1", "X") == missing.value.message.replace(
        "DE*BBB*E99", "X"
    )

    assert ids(store, B) == ["DEBBBE1"]
    assert ids(store, B, text="ABC") == []
    assert ids(store, B, include_withdrawn=True, city="Berlin") == ["DEBBBE1"]
    assert list_evses(store, B).total == 1
    assert ids(store, A) == ["DEABCE1", "DEABCE2"]


def test_an_operator_cannot_push_or_withdraw_anothers_evses(store: Store) -> None:
    register_operator(store, A)
    register_operator(store, B)
    push(store, A, PushAction.UPSERT, evse(E1), evse(E2))
    before = dump(store)
    for action in PushAction:
        record = EvseInput(E1) if action is PushAction.DELETE else evse(E1, city="Hacked")
        assert refused(store, B, action, record) == [(0, "evse_id", "evse_id.operator_mismatch")]
    assert dump(store) == before
    # B's fullLoad replaces B's inventory only.
    assert counts(push(store, B, PushAction.FULL_LOAD)) == (0, 0, 0, 0)
    push(store, B, PushAction.FULL_LOAD, evse("DE*BBB*E1"))
    assert counts(push(store, B, PushAction.FULL_LOAD, confirm_withdrawals=1)) == (0, 0, 0, 1)
    assert statuses(store, A) == {"DEABCE1": "active", "DEABCE2": "active"}


# --- listing: filters, sorting, paging ----------------------------------------------------

CATALOGUE = [
    evse(
        "DE*ABC*E101", city="Berlin", postal_code="10115", power_type="AC_3_PHASE", output_kw="22"
    ),
    evse("DE*ABC*E102", city="Berlin", postal_code="10117", power_type="DC", output_kw="150"),
    evse("DE*ABC*E203", city="Köln", postal_code="50667", power_type="DC", output_kw="50"),
    evse(
        "DE*ABC*E204", city="Aachen", postal_code="52062", power_type="AC_1_PHASE", output_kw="7.4"
    ),
    evse(
        "DE*ABC*E305",
        city="Paris",
        postal_code="75001",
        country="FRA",
        power_type="DC",
        output_kw="350",
        latitude="48.86",
        longitude="2.35",
    ),
    evse(
        "DE*ABC*E306",
        city="Chicago",
        postal_code="60601",
        country="USA",
        time_zone="America/Chicago",
        power_type="AC_1_PHASE",
        output_kw="11",
        latitude="41.88",
        longitude="-87.63",
    ),
]


@pytest.fixture
def catalogue(store: Store) -> Store:
    register_operator(store, A)
    register_operator(store, B)
    push(store, A, PushAction.UPSERT, *CATALOGUE, evse("DE*ABC*E999", output_kw="1000"))
    push(store, A, PushAction.DELETE, EvseInput("DE*ABC*E999"))
    push(store, B, PushAction.UPSERT, evse("DE*BBB*E101"))
    return store


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({}, ["DEABCE101", "DEABCE102", "DEABCE203", "DEABCE204", "DEABCE305", "DEABCE306"]),
        ({"text": "E10"}, ["DEABCE101", "DEABCE102"]),
        ({"text": "abc*e2"}, ["DEABCE203", "DEABCE204"]),
        ({"text": "DE*ABC*E305"}, ["DEABCE305"]),
        ({"text": "%"}, []),
        ({"text": "E_0"}, []),
        ({"country": "de"}, ["DEABCE101", "DEABCE102", "DEABCE203", "DEABCE204"]),
        ({"country": "FRA"}, ["DEABCE305"]),
        ({"city": "berlin"}, ["DEABCE101", "DEABCE102"]),
        ({"city": " KÖLN "}, ["DEABCE203"]),
        ({"city": "Berl"}, []),
        ({"postal_code": "101"}, ["DEABCE101", "DEABCE102"]),
        ({"postal_code": "10117"}, ["DEABCE102"]),
        ({"postal_code": "%"}, []),
        ({"power_type": "dc"}, ["DEABCE102", "DEABCE203", "DEABCE305"]),
        ({"power_type": "AC_1_PHASE"}, ["DEABCE204", "DEABCE306"]),
        ({"min_output_kw": "50"}, ["DEABCE102", "DEABCE203", "DEABCE305"]),
        ({"max_output_kw": "11"}, ["DEABCE204", "DEABCE306"]),
        ({"min_output_kw": "11", "max_output_kw": "50"}, ["DEABCE101", "DEABCE203", "DEABCE306"]),
        ({"min_output_kw": "7.40", "max_output_kw": "7.4"}, ["DEABCE204"]),
        ({"power_type": "DC", "country": "DEU", "max_output_kw": "100"}, ["DEABCE203"]),
        ({"include_withdrawn": True, "min_output_kw": "351"}, ["DEABCE999"]),
        ({"min_output_kw": "351"}, []),
    ],
)
def test_filters(catalogue: Store, criteria: dict[str, Any], expected: list[str]) -> None:
    page = list_evses(catalogue, A, evse_filter(**criteria), Page(limit=100))
    assert [item.record.evse_id.normalised for item in page.items] == expected
    assert page.total == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("evse_id", ["DEABCE101", "DEABCE102", "DEABCE203", "DEABCE204", "DEABCE305", "DEABCE306"]),
        (
            "output_kw",
            ["DEABCE204", "DEABCE306", "DEABCE101", "DEABCE203", "DEABCE102", "DEABCE305"],
        ),
        ("city", ["DEABCE204", "DEABCE101", "DEABCE102", "DEABCE306", "DEABCE203", "DEABCE305"]),
        ("country", ["DEABCE101", "DEABCE102", "DEABCE203", "DEABCE204", "DEABCE305", "DEABCE306"]),
        (
            "postal_code",
            ["DEABCE101", "DEABCE102", "DEABCE203", "DEABCE204", "DEABCE306", "DEABCE305"],
        ),
        (
            "power_type",
            ["DEABCE204", "DEABCE306", "DEABCE101", "DEABCE102", "DEABCE203", "DEABCE305"],
        ),
    ],
)
def test_sorting(catalogue: Store, sort: str, expected: list[str]) -> None:
    assert ids(catalogue, page=Page(sort=sort)) == expected
    # Descending reverses the key; equal keys stay in EVSE ID order.
    descending = ids(catalogue, page=Page(sort=sort, descending=True))
    keys = {
        item.record.evse_id.normalised: getattr(item.record, sort)
        for item in list_evses(catalogue, A).items
    }
    assert descending == sorted(expected, key=lambda i: (_negated(keys[i]), i))


def _negated(value: Any) -> Any:
    if isinstance(value, Decimal):
        return -value
    return tuple(-ord(c) for c in str(value))


def test_paging(catalogue: Store) -> None:
    everything = ids(catalogue, page=Page(limit=100, sort="output_kw"))
    pages = [
        list_evses(catalogue, A, evse_filter(), Page(limit=4, offset=offset, sort="output_kw"))
        for offset in (0, 4, 8)
    ]
    assert [p.total for p in pages] == [6, 6, 6]
    assert [len(p.items) for p in pages] == [4, 2, 0]
    assert [i.record.evse_id.normalised for p in pages for i in p.items] == everything
    assert pages[1].page.offset == 4


@pytest.mark.parametrize(
    ("criteria", "code"),
    [
        ({"power_type": "AC"}, "filter.power_type"),
        ({"min_output_kw": "fast"}, "filter.output_range"),
        ({"min_output_kw": "50", "max_output_kw": "10"}, "filter.output_range"),
        ({"country": "XX"}, "country.unknown"),
        ({"min_output_kw": "NaN"}, "filter.output_range"),
        ({"max_output_kw": "Infinity"}, "filter.output_range"),
        ({"min_output_kw": "NaN", "max_output_kw": "10"}, "filter.output_range"),
        ({"min_output_kw": "5_0"}, "filter.output_range"),
        ({"min_output_kw": "-1"}, "filter.output_range"),
        ({"max_output_kw": "1000.01"}, "filter.output_range"),
    ],
)
def test_bad_filters_are_refused_with_a_code(criteria: dict[str, Any], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        evse_filter(**criteria)
    assert caught.value.code == code


def test_text_filter_finds_numeric_evse_ids(store: Store) -> None:
    register_operator(store, "+49*810")
    push(store, "+49*810", PushAction.UPSERT, evse("+49*810*000*438"), evse("+49*810*000*439"))
    assert ids(store, "+49*810", text="438") == ["+49*810000438"]
    assert ids(store, "+49*810", text="+49*810*000*438") == ["+49*810000438"]
    assert ids(store, "+49*810", text="+49*810") == ["+49*810000438", "+49*810000439"]


def test_city_filter_ignores_case_beyond_ascii(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse(E1, city="Überlingen"), evse(E2, city="ÖHRINGEN"))
    assert ids(store, city="überlingen") == ["DEABCE1"]
    assert ids(store, city="Öhringen") == ["DEABCE2"]


# --- the database itself refuses duplicates ----------------------------------------------


def _row(operator_pk: int, evse_id: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "operator_pk": operator_pk,
        "evse_id": evse_id,
        "evse_id_sent": evse_id,
        "charging_station_id": "S",
        "country": "DEU",
        "city": "Berlin",
        "postal_code": "",
        "street": "Main",
        "house_number": "",
        "latitude": Decimal("52.5"),
        "longitude": Decimal("13.4"),
        "power_type": "DC",
        "output_kw": Decimal("50"),
        "plugs": "",
        "time_zone": "Europe/Berlin",
        "created_at": now,
        "updated_at": now,
    }


def test_database_refuses_a_duplicate_evse_row(store: Store) -> None:
    a = register_operator(store, A).pk
    b = register_operator(store, B).pk
    push(store, A, PushAction.UPSERT, evse(E1))
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(insert(evses).values(_row(a, "DEABCE1")))
    with store.engine.begin() as connection:  # another operator's row is another row
        connection.execute(insert(evses).values(_row(b, "DEABCE1")))
    with store.engine.connect() as connection:
        rows = connection.execute(select(evses.c.operator_pk).where(evses.c.evse_id == "DEABCE1"))
        assert sorted(row.operator_pk for row in rows) == sorted([a, b])


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("power_type", "AC"),
        ("output_kw", Decimal(0)),
        ("output_kw", Decimal("1000.01")),
        ("latitude", Decimal(91)),
        ("longitude", Decimal(-181)),
        ("operator_pk", 999_999),
    ],
)
def test_database_check_constraints(store: Store, column: str, value: Any) -> None:
    a = register_operator(store, A).pk
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(insert(evses).values({**_row(a, "DEABCE1"), column: value}))


def test_operator_ids_are_unique_in_the_database(store: Store) -> None:
    register_operator(store, A)
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(
            insert(operators).values(
                operator_id="DEABC", display_id="DE*ABC", created_at=datetime.now(UTC)
            )
        )


def _concurrently(*calls: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_pushes_of_the_same_evses_create_no_duplicates(store: Store) -> None:
    register_operator(store, A)
    records = [evse(f"DE*ABC*E{i}") for i in range(200)]
    results = _concurrently(
        *[lambda: push(store, A, PushAction.UPSERT, *records) for _ in range(4)]
    )
    assert all(isinstance(r, ImportSummary) for r in results), results
    assert sorted(r.inserted for r in results if isinstance(r, ImportSummary)) == [0, 0, 0, 200]
    with store.engine.connect() as connection:
        assert len(connection.execute(select(evses.c.id)).all()) == 200


def test_concurrent_inserts_one_wins_the_others_are_refused(store: Store) -> None:
    register_operator(store, A)
    records = [evse(f"DE*ABC*E{i}") for i in range(50)]
    results = _concurrently(*[lambda: push(store, A, PushAction.INSERT, *records)] * 3)
    winners = [r for r in results if isinstance(r, ImportSummary)]
    losers = [r for r in results if isinstance(r, ImportRefused)]
    assert (len(winners), len(losers)) == (1, 2), results
    assert {p.code for loser in losers for p in loser.problems} == {"evse.already_exists"}
    assert list_evses(store, A).total == 50


# --- all or nothing -----------------------------------------------------------------------


def _seeded(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse(E1), evse(E2), evse(E3))
    push(store, A, PushAction.DELETE, EvseInput(E3))


def test_one_bad_record_refuses_the_batch_and_writes_nothing(store: Store) -> None:
    _seeded(store)
    before = dump(store)
    with pytest.raises(ImportRefused) as caught:
        push(
            store,
            A,
            PushAction.FULL_LOAD,
            evse(E1, city="Potsdam"),
            evse("DE*ABC*E7", output_kw="-1", city=""),
            evse("DE*ABC*E8"),
            evse("DE*ABC*E9", power_type="AC"),
            kind="index",
        )
    assert dump(store) == before
    summary = caught.value.summary
    assert summary.committed is False
    assert counts(summary) == (0, 0, 0, 0)
    assert [(p.position, p.evse_id, p.field, p.code) for p in caught.value.problems] == [
        (1, "DE*ABC*E7", "city", "city.missing"),
        (1, "DE*ABC*E7", "output_kw", "output.not_positive"),
        (3, "DE*ABC*E9", "power_type", "power_type.unknown"),
    ]
    assert "2 of 4 records were refused" in caught.value.message
    rejected = summary.as_dict()["rejected"]
    assert isinstance(rejected, list)
    assert rejected[0] == {
        "index": 1,
        "evse_id": "DE*ABC*E7",
        "field": "city",
        "code": "city.missing",
        "message": "City is required",
    }


def test_a_refusal_found_against_the_inventory_writes_nothing(store: Store) -> None:
    _seeded(store)
    before = dump(store)
    assert refused(store, A, PushAction.INSERT, evse("DE*ABC*E8"), evse(E1)) == [
        (1, "evse_id", "evse.already_exists")
    ]
    assert refused(
        store, A, PushAction.UPDATE, evse(E1, city="Potsdam"), evse(E3), evse("DE*ABC*E9")
    ) == [(1, "evse_id", "evse.withdrawn"), (2, "evse_id", "evse.unknown")]
    assert dump(store) == before


def test_skip_invalid_writes_the_good_records_and_reports_the_rest(store: Store) -> None:
    _seeded(store)
    summary = push(
        store,
        A,
        PushAction.FULL_LOAD,
        evse(E1, city="Potsdam"),
        evse(E2, output_kw="0"),  # refused: E2 must stay active, not be withdrawn
        evse("DE*ABC*E8"),
        evse("DE*ABC*E8"),  # duplicate: neither occurrence lands
        evse("DE*ABC*E9"),
        skip_invalid=True,
    )
    assert summary.committed is True
    assert counts(summary) == (1, 1, 0, 0)
    assert [(p.position, p.code) for p in summary.rejected] == [
        (1, "output.not_positive"),
        (2, "evse_id.duplicate_in_batch"),
        (3, "evse_id.duplicate_in_batch"),
    ]
    assert statuses(store) == {
        "DEABCE1": "active",
        "DEABCE2": "active",
        "DEABCE3": "withdrawn",
        "DEABCE9": "active",
    }
    assert get_evse(store, A, E1).record.city == "Potsdam"
    assert get_evse(store, A, E2).record.output_kw == Decimal("22.00")


def test_skip_invalid_full_load_keeps_evses_the_reader_refused(store: Store) -> None:
    _seeded(store)
    unreadable = RecordProblem(1, "index", E2, "Address", "oicp.record.malformed", "no Address")
    summary = push(store, A, PushAction.FULL_LOAD, evse(E1), unreadable, skip_invalid=True)
    assert statuses(store)["DEABCE2"] == "active"
    assert summary.withdrawn == 0


def test_progress_reports_validation_and_writing(store: Store) -> None:
    register_operator(store, A)
    seen: list[tuple[str, int, int]] = []
    records = [SourceRecord(i, evse(f"DE*ABC*E{i}")) for i in range(1500)]
    import_evses(
        store,
        A,
        ParsedBatch(PushAction.UPSERT, "index", list(records)),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert ("validate", 1000, 1500) in seen
    assert seen[-2:] == [("write", 0, 1500), ("write", 1500, 1500)]


# --- a crash halfway leaves nothing written ----------------------------------------------


class Crash(RuntimeError):
    pass


@pytest.mark.parametrize("step", ["restore_many", "refresh_many", "withdraw"])
def test_a_crash_halfway_through_the_write_leaves_nothing_written(
    store: Store, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    _seeded(store)  # E1, E2 active; E3 withdrawn
    before = dump(store)
    batch = (evse(E1, city="Potsdam"), evse("DE*ABC*E8"), evse("DE*ABC*E9"))  # E2 withdrawn
    original = getattr(EvseRepository, step)
    original_insert = EvseRepository.insert_many
    ran: list[str] = []

    def insert_many(self: EvseRepository, *args: Any) -> None:
        original_insert(self, *args)
        ran.append("insert_many")

    def crash(self: EvseRepository, *args: Any) -> Any:
        original(self, *args)  # the step's own writes happen, then the process "dies"
        raise Crash(step)

    monkeypatch.setattr(EvseRepository, "insert_many", insert_many)
    monkeypatch.setattr(EvseRepository, step, crash)
    with pytest.raises(Crash):
        push(store, A, PushAction.FULL_LOAD, *batch)
    assert ran == ["insert_many"]
    assert dump(store) == before
    monkeypatch.undo()
    # The store is usable afterwards and the same push now goes through.
    assert counts(push(store, A, PushAction.FULL_LOAD, *batch)) == (2, 1, 0, 1)
    assert statuses(store) == {
        "DEABCE1": "active",
        "DEABCE2": "withdrawn",
        "DEABCE3": "withdrawn",
        "DEABCE8": "active",
        "DEABCE9": "active",
    }


def test_a_crash_while_restoring_leaves_nothing_written(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seeded(store)
    before = dump(store)
    original = EvseRepository.restore_many

    def crash(self: EvseRepository, *args: Any) -> Any:
        original(self, *args)
        raise Crash("restore_many")

    monkeypatch.setattr(EvseRepository, "restore_many", crash)
    with pytest.raises(Crash):
        push(store, A, PushAction.UPSERT, evse("DE*ABC*E8"), evse(E3, city="Potsdam"))
    assert dump(store) == before


def test_a_sub_operator_withdrawn_during_an_import_refuses_the_import(store: Store) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ"])
    records: list[SourceRecord | RecordProblem] = [
        SourceRecord(i, evse(f"DE*XYZ*E{i}")) for i in range(1000)
    ]
    before = dump(store)

    def withdraw_midway(stage: str, done: int, _total: int) -> None:
        if stage == "validate" and done == 1000:
            withdraw_sub_operator(store, A, "DE*XYZ")

    with pytest.raises(Conflict) as caught:
        import_evses(
            store, A, ParsedBatch(PushAction.UPSERT, "index", records), progress=withdraw_midway
        )
    assert caught.value.code == "batch.sub_operators_changed"
    assert "Send the batch again" in caught.value.message
    assert dump(store)["evses"] == before["evses"] == []


def test_an_import_may_register_its_operator_with_its_first_accepted_batch(store: Store) -> None:
    bad = ParsedBatch(PushAction.UPSERT, "index", [SourceRecord(0, evse(E1, city=""))])
    with pytest.raises(ImportRefused):
        import_evses(store, A, bad, register_operator=True)
    assert list_operators(store) == []

    good = ParsedBatch(PushAction.UPSERT, "index", [SourceRecord(0, evse(E1))])
    first = import_evses(store, A, good, register_operator=True)
    again = import_evses(store, A, good, register_operator=True)
    assert (first.operator_registered, first.inserted) == (True, 1)
    assert (again.operator_registered, again.unchanged) == (False, 1)
    assert [row.operator_id.display for row in list_operators(store)] == [A]


def test_an_import_does_not_register_an_operator_unless_asked(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        push(store, A, PushAction.UPSERT, evse(E1))
    assert caught.value.code == "operator.unknown"


def test_an_import_cannot_register_a_hubs_sub_operator_prefix(store: Store) -> None:
    register_operator(store, B, sub_operators=["DE*ABC"])
    good = ParsedBatch(PushAction.UPSERT, "index", [SourceRecord(0, evse(E1))])
    with pytest.raises(Conflict) as caught:
        import_evses(store, A, good, register_operator=True)
    assert caught.value.code == "operator.exists"
    assert [row.operator_id.display for row in list_operators(store)] == [B]


def test_concurrent_first_imports_of_a_new_operator_register_it_once(store: Store) -> None:
    batches = [
        ParsedBatch(PushAction.UPSERT, "index", [SourceRecord(0, evse(f"DE*ABC*E{i}"))])
        for i in (1, 2)
    ]
    results = _concurrently(
        *(lambda b=b: import_evses(store, A, b, register_operator=True) for b in batches)
    )
    assert all(isinstance(r, ImportSummary) for r in results), results
    summaries = [r for r in results if isinstance(r, ImportSummary)]
    assert sorted(s.operator_registered for s in summaries) == [False, True]
    assert len(list_operators(store)) == 1
    assert ids(store, A) == ["DEABCE1", "DEABCE2"]


def test_withdrawing_a_sub_operator_withdraws_exactly_its_evses(store: Store) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ", "DE*XY1", "+49*810", "+49*811"])
    push(
        store,
        A,
        PushAction.UPSERT,
        *(evse(i) for i in ("DE*ABC*E1", "DE*XYZ*E1", "DE*XY1*E1", "+49*810*000*438")),
        evse("+49*811*000*438"),
    )
    assert withdraw_sub_operator(store, A, "DE*XYZ").evses_withdrawn == 1
    assert withdraw_sub_operator(store, A, "49*810").evses_withdrawn == 1
    active = {key for key, status in statuses(store).items() if status == "active"}
    assert active == {"DEABCE1", "DEXY1E1", "+49*811000438"}
