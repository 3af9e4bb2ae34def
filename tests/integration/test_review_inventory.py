"""Review: inventory writes on SQLite and PostgreSQL — bulk paths, counts, text through
COPY, sub-operators, and concurrent pushes that must look like some serial order."""

from __future__ import annotations

import contextlib
import itertools
import os
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from evsenet.domain.errors import DomainError
from evsenet.domain.evse import EvseInput
from evsenet.domain.inventory import Page, PushAction
from evsenet.services.inventory import ImportSummary, evse_filter, get_evse, list_evses
from evsenet.services.operators import (
    declare_sub_operators,
    register_operator,
    withdraw_sub_operator,
)
from evsenet.store.engine import Store
from evsenet.store.migrate import upgrade
from tests.integration.test_inventory_service import _concurrently, counts, evse, push

A = "DE*ABC"


def statuses(store: Store, operator: str = A) -> dict[str, tuple[str, str]]:
    page = list_evses(store, operator, evse_filter(include_withdrawn=True), Page(limit=1000))
    return {i.record.evse_id.normalised: (i.status, i.record.city) for i in page.items}


# --- text and numbers through COPY / executemany -----------------------------------------

AWKWARD = {
    "charging_station_id": r"\N",
    "city": "C:\\Ladepark \"Süd\" 'Ω' 🚗",
    "street": "Straße \\. \\\\ end\\",
    "house_number": "12\\t",
    "postal_code": "",
}


def test_awkward_text_round_trips_and_is_unchanged_when_pushed_again(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse("DE*ABC*E1"), evse("DE*ABC*E2"))
    push(store, A, PushAction.DELETE, EvseInput("DE*ABC*E2"))
    batch = [
        evse("DE*ABC*E1", **AWKWARD),
        evse("DE*ABC*E2", **AWKWARD),
        evse("DE*ABC*E3", **AWKWARD),
    ]
    # refresh (E1), restore (E2) and insert (E3) in one batch
    assert counts(push(store, A, PushAction.UPSERT, *batch)) == (2, 1, 0, 0)
    for evse_id in ("DE*ABC*E1", "DE*ABC*E2", "DE*ABC*E3"):
        record = get_evse(store, A, evse_id).record
        assert (
            record.charging_station_id,
            record.city,
            record.street,
            record.house_number,
            record.postal_code,
        ) == tuple(
            AWKWARD[k]
            for k in ("charging_station_id", "city", "street", "house_number", "postal_code")
        )
    assert counts(push(store, A, PushAction.FULL_LOAD, *batch)) == (0, 0, 3, 0)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"output_kw": "22.000"}, (0, 0, 1, 0)),
        ({"output_kw": "022.0"}, (0, 0, 1, 0)),
        ({"latitude": "52.5300004", "longitude": "13.38"}, (0, 0, 1, 0)),
        ({"latitude": "52.5300016"}, (0, 1, 0, 0)),
        ({"country": "de", "power_type": "ac_3_phase"}, (0, 0, 1, 0)),
        ({"evse_id": "de*abc*e1"}, (0, 1, 0, 0)),  # the spelling sent is kept, so it changed
        ({"plugs": ("Type 2 Outlet", "Type 2 Outlet")}, (0, 0, 1, 0)),
    ],
)
def test_values_the_domain_normalises_count_as_unchanged_on_both_databases(
    store: Store, changes: dict[str, object], expected: tuple[int, int, int, int]
) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse("DE*ABC*E1"), evse("DE*ABC*E2"))
    values = {"evse_id": "DE*ABC*E1", **changes}
    again = push(store, A, PushAction.UPSERT, evse(**values), evse("DE*ABC*E2"))  # type: ignore[arg-type]
    assert counts(again) == (expected[0], expected[1], expected[2] + 1, expected[3])


def test_a_big_refresh_counts_exactly_the_changed_rows(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, *[evse(f"DE*ABC*E{i}") for i in range(6000)])
    push(store, A, PushAction.DELETE, *[EvseInput(f"DE*ABC*E{i}") for i in range(0, 6000, 7)])
    records = [
        evse(f"DE*ABC*E{i}", output_kw="50") if i % 5 == 0 else evse(f"DE*ABC*E{i}")
        for i in range(6000)
    ]
    withdrawn = len(range(0, 6000, 7))
    changed = len([i for i in range(6000) if i % 5 == 0 and i % 7 != 0])
    summary = push(store, A, PushAction.FULL_LOAD, *records)
    assert counts(summary) == (withdrawn, changed, 6000 - withdrawn - changed, 0)
    assert list_evses(store, A, evse_filter(min_output_kw="50")).total == len(range(0, 6000, 5))


# --- sub-operators ------------------------------------------------------------------------


def test_a_hub_can_take_off_the_market_the_evses_of_a_sub_operator_it_gave_up(
    store: Store,
) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ"])
    push(store, A, PushAction.UPSERT, evse("DE*ABC*E1"), evse("DE*XYZ*E1"), evse("DE*XYZ*E2"))
    assert withdraw_sub_operator(store, A, "DE*XYZ").evses_withdrawn == 2
    assert statuses(store)["DEXYZE1"][0] == "withdrawn"
    assert statuses(store)["DEXYZE2"][0] == "withdrawn"
    assert statuses(store)["DEABCE1"][0] == "active"


def test_a_numeric_hub_pushes_for_numeric_and_iso_sub_operators(store: Store) -> None:
    register_operator(store, "+49*810", sub_operators=["49*811", "de*xyz"])
    summary = push(
        store,
        "+49*810",
        PushAction.UPSERT,
        evse("49*810*000*438"),
        evse("+49*811*1"),
        evse("DEXYZE1"),
    )
    assert summary.inserted == 3
    assert get_evse(store, "+49*810", "+49*810000438").record.evse_id.sent == "49*810*000*438"
    with pytest.raises(DomainError) as caught:
        push(store, "+49*810", PushAction.UPSERT, evse("+49*812*1"), evse("+4*981*1"))
    codes = [p.code for p in caught.value.problems]  # type: ignore[attr-defined]
    assert codes == ["evse_id.operator_mismatch", "evse_id.operator_mismatch"]


# --- concurrent pushes: the result is that of some serial order ----------------------------

State = dict[str, tuple[bool, str]]  # id -> (active, city)


def _withdraws_most(state: State, action: PushAction, names: set[str]) -> bool:
    """The guard of `check_withdrawals`: an unconfirmed push may withdraw at most half of
    the active EVSEs."""
    active = {k for k, (a, _) in state.items() if a}
    if action is PushAction.DELETE:
        return 2 * len(active & names) > len(active)
    if action is PushAction.FULL_LOAD:
        return 2 * len(active - names) > len(active)
    return False


def _serial(state: State, action: PushAction, batch: list[tuple[str, str]]) -> State:
    new = dict(state)
    names = {i for i, _ in batch}
    if _withdraws_most(state, action, names):
        return state
    if action is PushAction.INSERT and any(new.get(i, (False, ""))[0] for i in names):
        return state
    if action is PushAction.DELETE:
        if any(i not in new for i in names):
            return state
        return {k: (False if k in names else a, c) for k, (a, c) in new.items()}
    if action is PushAction.FULL_LOAD:
        new = {k: (False, c) for k, (a, c) in new.items()}
    for i, city in batch:
        new[i] = (True, city)
    return new


def _ids(n: range) -> list[str]:
    return [f"DEABCE{i}" for i in n]


JOBS: list[tuple[PushAction, list[tuple[str, str]]]] = [
    (PushAction.FULL_LOAD, [(i, "Full") for i in _ids(range(0, 6))]),
    (PushAction.INSERT, [(i, "Ins") for i in _ids(range(10, 13))]),
    (PushAction.DELETE, [(i, "") for i in _ids(range(4, 8))]),
    (PushAction.UPSERT, [(i, "Up") for i in _ids(range(5, 12))]),
]


def _job(store: Store, action: PushAction, batch: list[tuple[str, str]]) -> Callable[[], object]:
    if action is PushAction.DELETE:
        records = [EvseInput(i) for i, _ in batch]
    else:
        records = [evse(i, city=city) for i, city in batch]
    return lambda: push(store, A, action, *records)


def test_concurrent_pushes_of_every_action_end_as_some_serial_order(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, *[evse(i, city="Seed") for i in _ids(range(0, 9))])
    seed: State = dict.fromkeys(_ids(range(0, 9)), (True, "Seed"))
    possible = []
    for order in itertools.permutations(JOBS):
        state = seed
        for action, batch in order:
            state = _serial(state, action, batch)
        possible.append(state)
    for _ in range(3):
        results = _concurrently(*(_job(store, a, b) for a, b in JOBS))
        unexpected = [r for r in results if not isinstance(r, ImportSummary | DomainError)]
        assert unexpected == []
        found = {k: (status == "active", city) for k, (status, city) in statuses(store).items()}
        assert found in possible, results
        seed = found
        possible = []
        for order in itertools.permutations(JOBS):
            state = seed
            for action, batch in order:
                state = _serial(state, action, batch)
            possible.append(state)


def test_imports_racing_sub_operator_changes_never_fail_with_a_database_error(
    store: Store,
) -> None:
    register_operator(store, A, sub_operators=["DE*XYZ"])
    records = [evse(f"DE*XYZ*E{i}") for i in range(300)]
    for _ in range(3):
        results = _concurrently(
            lambda: push(store, A, PushAction.UPSERT, *records),
            lambda: withdraw_sub_operator(store, A, "DE*XYZ"),
            lambda: push(store, A, PushAction.FULL_LOAD, *records[:100]),
            lambda: register_operator(store, "DE*XYZ"),
        )
        assert [
            r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)
        ] == []
        with store.engine.begin() as connection:
            connection.execute(text("DELETE FROM operators WHERE operator_id = 'DEXYZ'"))
            connection.execute(text("DELETE FROM prefix_claims WHERE prefix = 'DEXYZ'"))
        with contextlib.suppress(DomainError):
            declare_sub_operators(store, A, ["DE*XYZ"])


# --- PostgreSQL database with a C character type ------------------------------------------

POSTGRES_URL = os.environ.get("EVSENET_TEST_POSTGRES_URL")


@pytest.mark.skipif(not POSTGRES_URL, reason="needs EVSENET_TEST_POSTGRES_URL")
def test_city_filter_ignores_case_beyond_ascii_on_a_c_locale_postgresql() -> None:
    assert POSTGRES_URL
    name = f"evsenet_review_c_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C' LC_CTYPE 'C'"
            )
        )
    store = Store(POSTGRES_URL.rsplit("/", 1)[0] + "/" + name)
    try:
        upgrade(store)
        register_operator(store, A)
        push(store, A, PushAction.UPSERT, evse("DE*ABC*E1", city="KÖLN"), evse("DE*ABC*E2"))
        found = list_evses(store, A, evse_filter(city="Köln"))
        assert [i.record.evse_id.normalised for i in found.items] == ["DEABCE1"]
    finally:
        store.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def test_output_is_exact_after_restore_and_refresh(store: Store) -> None:
    register_operator(store, A)
    push(store, A, PushAction.UPSERT, evse("DE*ABC*E1"), evse("DE*ABC*E2"))
    push(store, A, PushAction.DELETE, EvseInput("DE*ABC*E2"))
    push(
        store,
        A,
        PushAction.UPSERT,
        evse("DE*ABC*E1", output_kw="1000.000", latitude="-89.9999995"),
        evse("DE*ABC*E2", output_kw="0.0100", longitude="-179.999999"),
    )
    one, two = get_evse(store, A, "DE*ABC*E1").record, get_evse(store, A, "DE*ABC*E2").record
    assert (str(one.output_kw), str(one.latitude)) == ("1000.00", "-90.000000")
    assert (str(two.output_kw), str(two.longitude)) == ("0.01", "-179.999999")
    assert Decimal(str(one.output_kw)) == Decimal("1000")
