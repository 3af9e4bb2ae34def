"""The networks service on SQLite and PostgreSQL: every rule of networks, groups and
assignment, each refusal's code, all-or-nothing bulk work, the two lists and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError

from evsenet.domain.errors import Conflict, DomainError, NotFound
from evsenet.domain.inventory import EvseFilter, Page
from evsenet.domain.network import AssignmentRefused, GroupRef
from evsenet.domain.network_lists import EvseSelection, GroupSpec, KeysetPage, NetworkEvseFilter
from evsenet.services import networks as svc
from evsenet.store.engine import Store
from evsenet.store.tables import assignments, evse_groups
from tests.integration.network_fixtures import ACTOR, A, B, seed, withdraw
from tests.integration.snapshots import dump


@pytest.fixture
def seeded(store: Store) -> Store:
    seed(store)
    return store


def ids(*numbers: int, operator: str = A) -> list[str]:
    return [f"{operator}*E{n}" for n in numbers]


def network_with_groups(store: Store, *names: str) -> tuple[int, list[int]]:
    network = svc.create_network(store, A, "Berlin fast", actor=ACTOR)
    groups = [svc.add_group(store, A, network.id, name, actor=ACTOR).id for name in names]
    return network.id, groups


def assign(store: Store, network: int, group: int, evse_ids: list[str], **kw: Any) -> Any:
    selection = EvseSelection(evse_ids=evse_ids)
    return svc.assign_evses(store, A, network, GroupRef(id=group), selection, actor=ACTOR, **kw)


def refusal_codes(error: AssignmentRefused) -> list[tuple[int | None, str, str]]:
    return [(p.position, p.evse_id, p.code) for p in error.problems]


# --- networks -------------------------------------------------------------------------


def test_a_new_network_is_a_draft_listed_alphabetically_ignoring_case(seeded: Store) -> None:
    for name in ("zeta", "Alpha", "beta"):
        svc.create_network(seeded, A, name, actor=ACTOR)
    listed = svc.list_networks(seeded, A)
    assert [n.name for n in listed] == ["Alpha", "beta", "zeta"]
    assert {n.status.value for n in listed} == {"draft"}
    assert svc.list_networks(seeded, B) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        pytest.param("", "network.name_blank", id="empty"),
        pytest.param("   ", "network.name_blank", id="blank"),
        pytest.param("x" * 101, "network.name_too_long", id="101-characters"),
        pytest.param("a\nb", "network.name_control_character", id="line-break"),
        pytest.param("a\x00b", "network.name_control_character", id="nul"),
    ],
)
def test_a_bad_network_name_is_refused(seeded: Store, name: str, code: str) -> None:
    with pytest.raises(DomainError) as raised:
        svc.create_network(seeded, A, name, actor=ACTOR)
    assert raised.value.code == code


def test_network_names_are_unique_per_operator_ignoring_case(seeded: Store) -> None:
    svc.create_network(seeded, A, "Köln", actor=ACTOR)
    with pytest.raises(Conflict) as raised:
        svc.create_network(seeded, A, " KÖLN ", actor=ACTOR)
    assert raised.value.code == "network.name_taken"
    svc.create_network(seeded, B, "Köln", actor=ACTOR)
    other = svc.create_network(seeded, A, "Bonn", actor=ACTOR)
    with pytest.raises(Conflict):
        svc.update_network(seeded, A, other.id, name="köln", actor=ACTOR)


def test_a_network_is_renamed_and_described(seeded: Store) -> None:
    network = svc.create_network(seeded, A, "Old", "first", actor=ACTOR)
    renamed = svc.update_network(seeded, A, network.id, name=" New ", actor=ACTOR)
    assert (renamed.name, renamed.description) == ("New", "first")
    described = svc.update_network(seeded, A, network.id, description="second", actor=ACTOR)
    assert (described.name, described.description) == ("New", "second")


def test_a_draft_network_is_deleted_with_its_groups_and_assignments(seeded: Store) -> None:
    network, [group] = network_with_groups(seeded, "G")
    assign(seeded, network, group, ids(1, 2))
    svc.delete_network(seeded, A, network, actor=ACTOR)
    with pytest.raises(NotFound):
        svc.get_network(seeded, A, network)
    with seeded.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(assignments)).scalar() == 0


def test_an_active_network_cannot_be_deleted(seeded: Store) -> None:
    network, _ = network_with_groups(seeded, "G")
    svc.activate_network(seeded, A, network, actor=ACTOR)
    with pytest.raises(Conflict) as raised:
        svc.delete_network(seeded, A, network, actor=ACTOR)
    assert raised.value.code == "network.active_not_deletable"


@pytest.mark.parametrize("network_id", [999, 0, -1, 2**63, 2**70])
def test_an_unknown_network_is_not_found(seeded: Store, network_id: int) -> None:
    with pytest.raises(NotFound) as raised:
        svc.get_network(seeded, A, network_id)
    assert raised.value.code == "network.not_found"


def test_another_operators_network_is_not_found_for_any_use(seeded: Store) -> None:
    network, [group] = network_with_groups(seeded, "G")
    before = dump(seeded)
    calls: list[Callable[[], object]] = [
        lambda: svc.get_network(seeded, B, network),
        lambda: svc.update_network(seeded, B, network, name="x", actor=ACTOR),
        lambda: svc.delete_network(seeded, B, network, actor=ACTOR),
        lambda: svc.activate_network(seeded, B, network, actor=ACTOR),
        lambda: svc.add_group(seeded, B, network, "H", actor=ACTOR),
        lambda: svc.update_group(seeded, B, network, group, name="x", actor=ACTOR),
        lambda: svc.delete_group(seeded, B, network, group, actor=ACTOR),
        lambda: svc.list_network_evses(seeded, B, network, assigned=True),
        lambda: svc.unassigned_count(seeded, B, network),
        lambda: svc.assign_evses(
            seeded,
            B,
            network,
            GroupRef(id=group),
            EvseSelection(evse_ids=ids(1, operator=B)),
            actor=ACTOR,
        ),
        lambda: svc.unassign_evses(
            seeded, B, network, EvseSelection(evse_ids=ids(1, operator=B)), actor=ACTOR
        ),
    ]
    for call in calls:
        with pytest.raises(NotFound) as raised:
            call()
        assert raised.value.code == "network.not_found"
    assert dump(seeded) == before


# --- groups ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        pytest.param("", "group.name_blank", id="empty"),
        pytest.param(" \t ", "group.name_blank", id="tab-only-is-blank-after-trimming"),
        pytest.param("   ", "group.name_blank", id="spaces"),
        pytest.param("x" * 31, "group.name_too_long", id="31-characters"),
        pytest.param("a\u2028b", "group.name_control_character", id="line-separator"),
    ],
)
def test_a_bad_group_name_is_refused(seeded: Store, name: str, code: str) -> None:
    network, _ = network_with_groups(seeded)
    with pytest.raises(DomainError) as raised:
        svc.add_group(seeded, A, network, name, actor=ACTOR)
    assert raised.value.code == code


def test_a_group_name_of_30_characters_after_trimming_is_taken(seeded: Store) -> None:
    network, _ = network_with_groups(seeded)
    group = svc.add_group(seeded, A, network, "  " + "é" * 30 + "  ", actor=ACTOR)
    assert group.name == "é" * 30


def test_group_names_are_unique_in_a_network_ignoring_case(seeded: Store) -> None:
    network, [group] = network_with_groups(seeded, "Straße")
    for name in ("STRASSE", "straße", " Straße "):
        with pytest.raises(Conflict) as raised:
            svc.add_group(seeded, A, network, name, actor=ACTOR)
        assert raised.value.code == "group.name_taken"
    other = svc.add_group(seeded, A, network, "Other", actor=ACTOR)
    with pytest.raises(Conflict):
        svc.update_group(seeded, A, network, other.id, name="STRASSE", actor=ACTOR)
    second = svc.create_network(seeded, A, "Second", actor=ACTOR)
    assert svc.add_group(seeded, A, second.id, "Straße", actor=ACTOR).name == "Straße"
    assert group


def test_the_database_refuses_a_duplicate_group_key_and_a_long_name(seeded: Store) -> None:
    network, [group] = network_with_groups(seeded, "G")
    rows = [
        {"network_pk": network, "name": "g", "name_key": "g"},
        {"network_pk": network, "name": "x" * 31, "name_key": "y"},
        {"network_pk": network, "name": "", "name_key": "z"},
    ]
    for row in rows:
        refused = (IntegrityError, DataError)  # PostgreSQL checks VARCHAR(30) itself first
        with pytest.raises(refused), seeded.transaction(write=True) as connection:
            connection.execute(insert(evse_groups).values(created_at=func.now(), **row))
    assert group


def test_a_draft_group_is_renamed_and_deleted_unassigning_its_evses(seeded: Store) -> None:
    network, [group, other] = network_with_groups(seeded, "G", "H")
    assign(seeded, network, group, ids(1, 2, 3))
    assign(seeded, network, other, ids(4))
    assert svc.update_group(seeded, A, network, group, name="G2", actor=ACTOR).evse_count == 3
    assert svc.delete_group(seeded, A, network, group, actor=ACTOR) == 3
    detail = svc.get_network(seeded, A, network)
    assert [(g.name, g.evse_count) for g in detail.groups] == [("H", 1)]
    assert detail.evse_count == 1


def test_an_active_networks_groups_keep_their_names_and_new_groups_may_be_added(
    seeded: Store,
) -> None:
    network, [group] = network_with_groups(seeded, "G")
    svc.activate_network(seeded, A, network, actor=ACTOR)
    with pytest.raises(Conflict) as raised:
        svc.update_group(seeded, A, network, group, name="New", actor=ACTOR)
    assert raised.value.code == "group.active_not_renamable"
    with pytest.raises(Conflict) as raised:
        svc.delete_group(seeded, A, network, group, actor=ACTOR)
    assert raised.value.code == "group.active_not_deletable"
    assert svc.update_group(seeded, A, network, group, description="d", actor=ACTOR)
    assert svc.add_group(seeded, A, network, "Later", actor=ACTOR).name == "Later"


def test_a_group_of_another_network_is_not_found(seeded: Store) -> None:
    network, _ = network_with_groups(seeded, "G")
    other = svc.create_network(seeded, A, "Other", actor=ACTOR)
    foreign = svc.add_group(seeded, A, other.id, "H", actor=ACTOR)
    with pytest.raises(NotFound) as raised:
        assign(seeded, network, foreign.id, ids(1))
    assert raised.value.code == "group.not_found"
    with pytest.raises(NotFound):
        svc.update_group(seeded, A, network, foreign.id, name="x", actor=ACTOR)


# --- assignment -----------------------------------------------------------------------


def test_assigning_reports_new_moved_and_unchanged_evses(seeded: Store) -> None:
    network, [g, h] = network_with_groups(seeded, "G", "H")
    first = assign(seeded, network, g, ids(1, 2, 3))
    assert (first.assigned, first.moved, first.unchanged) == (3, 0, 0)
    second = assign(seeded, network, h, ids(2, 3, 4))
    assert (second.assigned, second.moved, second.unchanged) == (1, 2, 0)
    third = svc.assign_evses(
        seeded, A, network, GroupRef(name="h"), EvseSelection(evse_ids=ids(4)), actor=ACTOR
    )
    assert (third.assigned, third.moved, third.unchanged) == (0, 0, 1)


def test_every_refused_evse_is_reported_and_nothing_is_written(seeded: Store) -> None:
    network, [g] = network_with_groups(seeded, "G")
    elsewhere = svc.create_network(seeded, A, "Elsewhere", actor=ACTOR)
    group = svc.add_group(seeded, A, elsewhere.id, "X", actor=ACTOR)
    assign(seeded, elsewhere.id, group.id, ids(5))
    withdraw(seeded, "DE*ABC*E6")
    before = dump(seeded)
    request = [
        "DE*ABC*E1",
        "DE*ABC*E99999",
        "NL*EVN*E1",
        "DE*ABC*E5",
        "DE*ABC*E6",
        "de*abc*e7",
        "DE*ABC*E7",
        "not an id",
    ]
    with pytest.raises(AssignmentRefused) as raised:
        assign(seeded, network, g, request)
    assert refusal_codes(raised.value) == [
        (1, "DE*ABC*E99999", "evse.unknown"),
        (2, "NL*EVN*E1", "evse.unknown"),
        (3, "DE*ABC*E5", "evse.in_other_network"),
        (4, "DE*ABC*E6", "evse.withdrawn"),
        (5, "de*abc*e7", "evse.listed_twice"),
        (6, "DE*ABC*E7", "evse.listed_twice"),
        (7, "not an id", "evse_id.malformed"),
    ]
    assert raised.value.code == "assignment.refused"
    assert raised.value.refused == 7
    assert dump(seeded) == before


def test_a_foreign_evse_is_refused_exactly_like_an_unknown_one(seeded: Store) -> None:
    network, [g] = network_with_groups(seeded, "G")
    with pytest.raises(AssignmentRefused) as raised:
        assign(seeded, network, g, ["NL*EVN*E1", "NL*EVN*E999"])
    foreign, unknown = raised.value.problems
    assert foreign.code == unknown.code == "evse.unknown"
    assert foreign.message.replace("E1 ", "E999 ") == unknown.message


def test_in_an_active_network_only_unassigned_evses_are_assigned(seeded: Store) -> None:
    network, [g, h] = network_with_groups(seeded, "G", "H")
    assign(seeded, network, g, ids(1, 2))
    svc.activate_network(seeded, A, network, actor=ACTOR)
    before = dump(seeded)
    with pytest.raises(AssignmentRefused) as raised:
        assign(seeded, network, h, ids(1, 3))
    assert refusal_codes(raised.value) == [(0, "DE*ABC*E1", "evse.assigned_in_active_network")]
    assert dump(seeded) == before
    report = assign(seeded, network, h, ids(3))
    assert report.assigned == 1
    assert assign(seeded, network, g, ids(1)).unchanged == 1
    with pytest.raises(AssignmentRefused) as raised:
        svc.unassign_evses(seeded, A, network, EvseSelection(evse_ids=ids(1)), actor=ACTOR)
    assert raised.value.problems[0].code == "evse.assigned_in_active_network"


def test_moves_can_be_refused_so_that_only_a_first_assignment_wins(seeded: Store) -> None:
    network, [g, h] = network_with_groups(seeded, "G", "H")
    assign(seeded, network, g, ids(1), allow_moves=False)
    with pytest.raises(AssignmentRefused) as raised:
        assign(seeded, network, h, ids(1), allow_moves=False)
    assert raised.value.problems[0].code == "evse.already_assigned"


def test_unassigning_takes_evses_out_and_leaves_others_unchanged(seeded: Store) -> None:
    network, [g] = network_with_groups(seeded, "G")
    assign(seeded, network, g, ids(1, 2))
    withdraw(seeded, "DE*ABC*E2")
    report = svc.unassign_evses(
        seeded, A, network, EvseSelection(evse_ids=ids(1, 2, 3)), actor=ACTOR
    )
    assert (report.unassigned, report.unchanged) == (2, 1)
    assert svc.get_network(seeded, A, network).evse_count == 0


def test_an_evse_of_another_network_is_not_unassigned_from_this_one(seeded: Store) -> None:
    network, _ = network_with_groups(seeded, "G")
    other = svc.create_network(seeded, A, "Other", actor=ACTOR)
    group = svc.add_group(seeded, A, other.id, "X", actor=ACTOR)
    assign(seeded, other.id, group.id, ids(1))
    with pytest.raises(AssignmentRefused) as raised:
        svc.unassign_evses(seeded, A, network, EvseSelection(evse_ids=ids(1)), actor=ACTOR)
    assert raised.value.problems[0].code == "evse.in_other_network"


def test_assigning_by_filter_takes_the_matching_unassigned_evses(seeded: Store) -> None:
    network, [g, h] = network_with_groups(seeded, "G", "H")
    assign(seeded, network, h, ids(3))  # Köln, DC? n=3: Köln (3 % 20), AC_1_PHASE (3 % 3 = 0)
    criteria = EvseFilter.parse(city="KÖLN")
    report = svc.assign_evses(
        seeded, A, network, GroupRef(id=g), EvseSelection(criteria=criteria), actor=ACTOR
    )
    assert (report.assigned, report.moved) == (5, 0)  # 23, 43, 63, 83, 103
    rows = svc.list_network_evses(
        seeded, A, network, assigned=True, criteria=NetworkEvseFilter(group_id=g)
    )
    assert [r.evse_id for r in rows.items] == ids(103, 23, 43, 63, 83)


def test_moving_a_groups_evses_by_filter_takes_them_from_the_assigned_list(seeded: Store) -> None:
    network, [g, h] = network_with_groups(seeded, "G", "H")
    assign(seeded, network, g, ids(1, 2, 3))
    selection = EvseSelection(criteria=NetworkEvseFilter(group_id=g), assigned=True)
    report = svc.assign_evses(seeded, A, network, GroupRef(id=h), selection, actor=ACTOR)
    assert (report.assigned, report.moved) == (0, 3)
    unassign = EvseSelection(criteria=NetworkEvseFilter.parse(power_type="DC", group_id=h))
    assert svc.unassign_evses(seeded, A, network, unassign, actor=ACTOR).unassigned == 1


def test_a_filter_with_impossible_bounds_is_refused() -> None:
    with pytest.raises(DomainError) as raised:
        NetworkEvseFilter.parse(min_output_kw="50", max_output_kw="10")
    assert raised.value.code == "filter.output_range"


def test_a_selection_and_a_target_are_given_exactly_once() -> None:
    with pytest.raises(DomainError) as raised:
        EvseSelection()
    assert raised.value.code == "assignment.selection_required"
    with pytest.raises(DomainError) as raised:
        EvseSelection(evse_ids=[], criteria=EvseFilter())
    assert raised.value.code == "assignment.selection_required"
    with pytest.raises(DomainError) as raised:
        GroupRef(id=1, name="x")
    assert raised.value.code == "assignment.group_required"


def test_the_database_keeps_an_evse_in_one_group_and_its_group_in_its_network(
    seeded: Store,
) -> None:
    network, [g, h] = network_with_groups(seeded, "G", "H")
    other = svc.create_network(seeded, A, "Other", actor=ACTOR)
    foreign = svc.add_group(seeded, A, other.id, "X", actor=ACTOR)
    assign(seeded, network, g, ids(1))
    with seeded.engine.connect() as connection:
        evse_pk = connection.execute(select(assignments.c.evse_pk)).scalar_one()
    attempts = [
        {"evse_pk": evse_pk, "group_pk": h, "network_pk": network},
        {"evse_pk": evse_pk + 1, "group_pk": foreign.id, "network_pk": network},
    ]
    for row in attempts:
        with pytest.raises(IntegrityError), seeded.transaction(write=True) as connection:
            connection.execute(insert(assignments).values(assigned_at=func.now(), **row))
    with pytest.raises(IntegrityError), seeded.transaction(write=True) as connection:
        connection.execute(update(assignments).values(network_pk=other.id))


# --- the lists ------------------------------------------------------------------------


def test_the_unassigned_list_is_every_active_evse_in_no_group(seeded: Store) -> None:
    network, [g] = network_with_groups(seeded, "G")
    assign(seeded, network, g, ids(1, 2))
    withdraw(seeded, "DE*ABC*E3")
    page = svc.list_network_evses(seeded, A, network, assigned=False)
    assert page.total == 120 - 3
    assert svc.unassigned_count(seeded, A, network) == 117
    assert not {"DE*ABC*E1", "DE*ABC*E2", "DE*ABC*E3"} & {r.evse_id for r in page.items}
    assert all(r.group_id is None for r in page.items)


def test_keyset_pages_walk_the_whole_list_once_in_every_sort_order(seeded: Store) -> None:
    network, _ = network_with_groups(seeded, "G")
    for sort in ("evse_id", "city", "output_kw", "power_type", "postal_code", "country"):
        for descending in (False, True):
            seen: list[str] = []
            cursor = None
            while True:
                page = svc.list_network_evses(
                    seeded,
                    A,
                    network,
                    assigned=False,
                    page=KeysetPage(limit=7, after=cursor, sort=sort, descending=descending),
                )
                seen += [r.evse_id for r in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert len(seen) == len(set(seen)) == 120, (sort, descending)


def test_the_assigned_list_filters_by_group_and_counts_per_group(seeded: Store) -> None:
    network, [g, h] = network_with_groups(seeded, "G", "H")
    assign(seeded, network, g, ids(1, 2, 3, 4))
    assign(seeded, network, h, ids(5, 6))
    dc = NetworkEvseFilter.parse(power_type="DC")
    page = svc.list_network_evses(seeded, A, network, assigned=True, criteria=dc)
    assert page.total == 2  # E2, E5
    assert page.group_counts == {g: 1, h: 1}
    only_h = NetworkEvseFilter(group_id=h)
    page = svc.list_network_evses(seeded, A, network, assigned=True, criteria=only_h)
    assert (page.total, page.group_counts) == (2, {g: 4, h: 2})
    assert {r.group_name for r in page.items} == {"H"}


def test_a_cursor_of_another_sort_or_a_forged_one_is_refused(seeded: Store) -> None:
    network, _ = network_with_groups(seeded, "G")
    page = svc.list_network_evses(seeded, A, network, assigned=False, page=KeysetPage(limit=2))
    assert page.next_cursor is not None
    bad: list[tuple[str | None, str]] = [
        (page.next_cursor, "city"),
        ("not-a-cursor", "evse_id"),
        ("e30", "evse_id"),
    ]
    for cursor, sort in bad:
        with pytest.raises(DomainError) as raised:
            KeysetPage(after=cursor, sort=sort)
        assert raised.value.code == "page.cursor_invalid"


# --- Hubject's shapes -----------------------------------------------------------------


def test_a_network_with_groups_and_assignments_is_created_in_one_go(seeded: Store) -> None:
    groups = [GroupSpec("Fast", "", ids(1, 2)), GroupSpec("Slow", "d", ids(3))]
    detail = svc.create_network_with_groups(seeded, A, "Hub", "", groups, actor=ACTOR)
    assert [(g.name, g.evse_count) for g in detail.groups] == [("Fast", 2), ("Slow", 1)]


@pytest.mark.parametrize(
    ("groups", "code"),
    [
        pytest.param([GroupSpec("A"), GroupSpec("a")], "group.name_taken", id="case-twin"),
        pytest.param([GroupSpec("")], "group.name_blank", id="blank-group"),
        pytest.param(
            [GroupSpec("A", "", ["DE*ABC*E1"]), GroupSpec("B", "", ["de*abc*e1"])],
            "assignment.refused",
            id="evse-in-two-groups",
        ),
        pytest.param([GroupSpec("A", "", ["NL*EVN*E1"])], "assignment.refused", id="foreign"),
    ],
)
def test_a_refused_create_writes_nothing(seeded: Store, groups: list[GroupSpec], code: str) -> None:
    before = dump(seeded)
    with pytest.raises(DomainError) as raised:
        svc.create_network_with_groups(seeded, A, "Hub", "", groups, actor=ACTOR)
    assert raised.value.code == code
    assert dump(seeded) == before


def test_assignment_by_group_names_follows_hubjects_draft_and_active_rule(seeded: Store) -> None:
    groups = [GroupSpec("Fast", "", ids(1, 2)), GroupSpec("Slow", "", ids(3))]
    detail = svc.create_network_with_groups(seeded, A, "Hub", "", groups, actor=ACTOR)
    now = svc.assign_by_group_names(seeded, A, "HUB", [("slow", ids(1))], actor=ACTOR)
    assert now == {"Slow": ids(1, 3)}
    svc.activate_network(seeded, A, detail.id, actor=ACTOR)
    now = svc.assign_by_group_names(seeded, A, "Hub", [("Fast", ids(1, 4))], actor=ACTOR)
    assert now == {"Fast": ids(2, 4)}
    with pytest.raises(NotFound):
        svc.assign_by_group_names(seeded, A, "Nope", [("Fast", ids(5))], actor=ACTOR)
    with pytest.raises(NotFound):
        svc.assign_by_group_names(seeded, B, "Hub", [("Fast", ids(5, operator=B))], actor=ACTOR)


# --- audit ----------------------------------------------------------------------------


def test_every_change_is_audited_newest_first_with_the_actor(seeded: Store) -> None:
    network, [g] = network_with_groups(seeded, "G")
    assign(seeded, network, g, ids(1, 2))
    svc.unassign_evses(seeded, A, network, EvseSelection(evse_ids=ids(1)), actor=ACTOR)
    svc.delete_group(seeded, A, network, g, actor=ACTOR)
    svc.delete_network(seeded, A, network, actor=ACTOR)
    page = svc.list_audit(seeded, A)
    assert [e.action for e in page.items] == [
        "network.deleted",
        "group.deleted",
        "evses.unassigned",
        "evses.assigned",
        "group.added",
        "network.created",
    ]
    assigned = page.items[3]
    assert (assigned.actor, assigned.actor_kind) == ("tests", "token")
    assert (assigned.ids, assigned.ids_total) == (ids(1, 2), 2)
    assert assigned.counts["assigned"] == 2
    assert page.items[1].counts == {"unassigned": 1}
    assert svc.list_audit(seeded, B).total == 0
    assert svc.list_audit(seeded, A, Page(limit=2, offset=4)).items[0].action == "group.added"


def test_a_refused_request_leaves_no_audit_entry(seeded: Store) -> None:
    network, [g] = network_with_groups(seeded, "G")
    total = svc.list_audit(seeded, A).total
    with pytest.raises(AssignmentRefused):
        assign(seeded, network, g, ["DE*ABC*E99999"])
    assert svc.list_audit(seeded, A).total == total


def test_the_audit_entry_of_a_large_assignment_caps_its_ids(store: Store) -> None:
    seed(store, count=1_500)
    network, [g] = network_with_groups(store, "G")
    selection = EvseSelection(criteria=EvseFilter())
    report = svc.assign_evses(store, A, network, GroupRef(id=g), selection, actor=ACTOR)
    assert report.assigned == 1_500
    entry = svc.list_audit(store, A, Page(limit=1)).items[0]
    assert (len(entry.ids), entry.ids_total) == (1_000, 1_500)
