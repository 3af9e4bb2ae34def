"""What the network page's list forms send, read into the service's filters and pages."""

from __future__ import annotations

import pytest

from evsenet.domain.errors import DomainError
from evsenet.domain.evse import PowerType
from evsenet.web.lists import ListState


def test_each_list_reads_its_own_prefixed_fields() -> None:
    sent = {"a_q": "E1", "a_group": "7", "u_city": " Köln ", "u_power_type": "dc"}
    assigned, unassigned = ListState.read("a", sent), ListState.read("u", sent)
    assert assigned.criteria().text == "E1"
    assert assigned.criteria().group_id == 7
    assert assigned.criteria().city is None
    assert unassigned.criteria().city == "Köln"
    assert unassigned.criteria().power_type is PowerType.DC
    assert unassigned.criteria().group_id is None


def test_a_selection_by_filter_reads_the_match_fields_and_ignores_the_cursor() -> None:
    sent = {"match_u_postal_code": "44", "u_postal_code": "10", "match_u_after": "abc"}
    state = ListState.read("u", sent, match=True)
    assert state.criteria().postal_code == "44"
    assert state.after is None


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        pytest.param("output_kw", "desc", ("output_kw", True), id="known"),
        pytest.param("password", "up", ("evse_id", False), id="unknown-falls-back"),
    ],
)
def test_sort_and_order_are_one_of_the_lists_own(
    sort: str, order: str, expected: tuple[str, bool]
) -> None:
    page = ListState.read("u", {"u_sort": sort, "u_order": order}).request().page
    assert (page.sort, page.descending) == expected


@pytest.mark.parametrize("group", ["x", "-1", "1" * 19, "٣"])
def test_a_group_filter_that_names_no_group_is_refused(group: str) -> None:
    with pytest.raises(DomainError) as refused:
        ListState.read("a", {"a_group": group}).criteria()
    assert refused.value.code == "filter.group_invalid"


def test_the_query_parameters_keep_the_prefix_and_drop_empty_fields() -> None:
    state = ListState.read("a", {"a_city": "Bonn", "a_sort": "city"})
    assert state.params(after="cursor") == {
        "a_city": "Bonn",
        "a_sort": "city",
        "a_order": "asc",
        "a_after": "cursor",
    }
