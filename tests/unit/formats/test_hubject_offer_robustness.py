"""Whatever a client sends in place of any field of Hubject's offer bodies, the reader
answers with the offer or a refusal naming fields, never with a crash (a 5xx)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError, FieldProblem, InvalidRecord
from evsenet.domain.offer_review import NetworkGroup, offer_problems, price_problems
from evsenet.formats._json_body import parse_json_object
from evsenet.formats.hubject_offer import (
    read_create_offer,
    read_price_update,
    review_refusal,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hubject"
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
NETWORK = [NetworkGroup("g-north", "North"), NetworkGroup("g-south", "South")]
BODIES = {
    name: parse_json_object((FIXTURES / name).read_bytes())
    for name in (
        "create_unlimited_offer_to_all.json",
        "create_limited_bilateral.json",
        "update_prices.json",
    )
}

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.decimals(allow_nan=False, allow_infinity=False, places=6)
    | st.text(max_size=12)
    | st.sampled_from(["24:00:00", "23:59:59", "EUR", "MONDAY", "2027-01-01T00:00:00Z", "NGP"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: object, here: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [here] if here else []
    if isinstance(value, dict):
        for key, member in value.items():
            found += _paths(member, (*here, key))
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found += _paths(member, (*here, index))
    return found


def _mutate(body: object, path: tuple[object, ...], value: object, delete: bool) -> object:
    changed = copy.deepcopy(body)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]  # type: ignore[index]
    if delete and isinstance(parent, dict):
        parent.pop(path[-1], None)
    else:
        parent[path[-1]] = value  # type: ignore[index]
    return changed


def _refusals(name: str, body: dict[str, object]) -> list[FieldProblem]:
    """What evsenet refuses in `body`, each with a JSON path; only domain errors may
    escape the reader (anything else would be a 5xx)."""
    try:
        if name.startswith("update"):
            update = read_price_update(body)
            found = price_problems(update.tariffs, update.groups, NETWORK)
            return review_refusal(found, products="pricingDetails").problems if found else []
        offer = read_create_offer(body, now=NOW, vat_percent=Decimal(19)).offer
        found = offer_problems(offer, NETWORK)
        return review_refusal(found).problems if found else []
    except InvalidRecord as error:
        return error.problems
    except DomainError as error:
        return [FieldProblem(error.field or "", error.code, error.message)]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(BODIES)), st.data(), JSON_VALUES, st.booleans())
def test_any_value_in_any_field_gives_an_offer_or_a_refusal_naming_fields(
    name: str, data: st.DataObject, value: object, delete: bool
) -> None:
    body = BODIES[name]
    path = data.draw(st.sampled_from(_paths(body)))
    changed = _mutate(body, path, value, delete)
    assert isinstance(changed, dict)
    for problem in _refusals(name, changed):
        assert problem.code
        assert problem.message
        assert "groups[" not in problem.field


def test_the_untouched_bodies_are_accepted() -> None:
    for name, body in BODIES.items():
        assert _refusals(name, dict(body)) == [], name
