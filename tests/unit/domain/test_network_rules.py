"""The network rules (domain/network.py, network_lists.py) for every input (Hypothesis)
and the draft/active table of assignment."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.network import (
    GROUP_NAME_MAX,
    Change,
    EvseRefusal,
    EvseState,
    NetworkStatus,
    assignment_change,
    group_name,
    name_key,
    repeated_ids,
    unassignment_change,
)
from evsenet.domain.network_lists import Cursor

DRAFT, ACTIVE = NetworkStatus.DRAFT, NetworkStatus.ACTIVE


REFUSED = {"Cc", "Cf", "Cs", "Zl", "Zp"}
"""What no name may hold (domain/text.py): control, format and surrogate characters and
line and paragraph separators."""


@given(st.text(max_size=60))
def test_a_group_name_is_refused_or_trimmed_to_1_to_30_plain_characters(text: str) -> None:
    stripped = unicodedata.normalize("NFC", text.strip())
    plain = not any(unicodedata.category(c) in REFUSED for c in stripped)
    if stripped and len(stripped) <= GROUP_NAME_MAX and plain:
        assert group_name(text) == stripped
        return
    with pytest.raises(DomainError) as raised:
        group_name(text)
    assert raised.value.code in {
        "group.name_blank",
        "group.name_too_long",
        "group.name_control_character",
    }


@given(st.text(alphabet="abcxyzäöüßéABCXYZÄÖÜÉ -", min_size=1, max_size=30))
def test_names_that_differ_only_in_letter_case_have_one_key(text: str) -> None:
    assert name_key(text.upper()) == name_key(text.lower()) == name_key(text)


@given(
    st.sampled_from(["evse_id", "city", "output_kw"]),
    st.booleans(),
    st.none() | st.text(max_size=40),
    st.text(max_size=41),
)
def test_a_cursor_reads_back_what_it_wrote(
    sort: str, descending: bool, value: str | None, key: str
) -> None:
    cursor = Cursor(sort, descending, value, key)
    assert Cursor.decode(cursor.encode()) == cursor


@given(st.binary(max_size=60))
def test_any_other_cursor_text_is_refused_with_its_code(raw: bytes) -> None:
    text = raw.decode("latin-1")
    outcome: Cursor | DomainError
    try:
        outcome = Cursor.decode(text)
    except DomainError as error:
        outcome = error
    if isinstance(outcome, DomainError):
        assert outcome.code == "page.cursor_invalid"


@given(st.lists(st.sampled_from(["A", "B", "C", "D"]), max_size=12))
def test_exactly_the_repeated_ids_are_refused_each_time_they_appear(keys: list[str]) -> None:
    ids = [(position, key, key.lower()) for position, key in enumerate(keys)]
    refused = repeated_ids(ids)
    assert [r.position for r in refused] == [
        position for position, key in enumerate(keys) if keys.count(key) > 1
    ]
    assert {r.code for r in refused} <= {"evse.listed_twice"}


def state(network: int | None = None, group: int | None = None, **kw: bool) -> EvseState:
    return EvseState("DE*ABC*E1", 0, kw.get("known", True), kw.get("withdrawn", False),
                     network, "N" if network else None, group)  # fmt: skip


@pytest.mark.parametrize(
    ("current", "status", "expected"),
    [
        pytest.param(state(), DRAFT, Change.ASSIGN, id="free-draft"),
        pytest.param(state(), ACTIVE, Change.ASSIGN, id="free-active"),
        pytest.param(state(1, 10), DRAFT, Change.UNCHANGED, id="same-group"),
        pytest.param(state(1, 11), DRAFT, Change.MOVE, id="other-group-draft-moves"),
        pytest.param(state(1, 11), ACTIVE, "evse.assigned_in_active_network", id="active-keeps"),
        pytest.param(state(2, 20), DRAFT, "evse.in_other_network", id="other-network"),
        pytest.param(state(known=False), DRAFT, "evse.unknown", id="unknown"),
        pytest.param(state(withdrawn=True), DRAFT, "evse.withdrawn", id="withdrawn"),
    ],
)
def test_what_assigning_does(current: EvseState, status: NetworkStatus, expected: object) -> None:
    change = assignment_change(current, 1, status, 10)
    assert (change.code if isinstance(change, EvseRefusal) else change) == expected


@pytest.mark.parametrize(
    ("current", "status", "expected"),
    [
        pytest.param(state(), DRAFT, Change.UNCHANGED, id="free"),
        pytest.param(state(1, 10), DRAFT, Change.UNASSIGN, id="draft"),
        pytest.param(state(1, 10, withdrawn=True), DRAFT, Change.UNASSIGN, id="withdrawn-draft"),
        pytest.param(state(1, 10), ACTIVE, "evse.assigned_in_active_network", id="active"),
        pytest.param(state(2, 20), DRAFT, "evse.in_other_network", id="other-network"),
        pytest.param(state(known=False), DRAFT, "evse.unknown", id="unknown"),
    ],
)
def test_what_unassigning_does(current: EvseState, status: NetworkStatus, expected: object) -> None:
    change = unassignment_change(current, 1, status)
    assert (change.code if isinstance(change, EvseRefusal) else change) == expected
