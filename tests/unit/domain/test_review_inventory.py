"""Review: duplicates across records the reader refused, and ID spellings against scopes."""

from __future__ import annotations

import pytest

from evsenet.domain.errors import RecordProblem
from evsenet.domain.evse import OperatorScope, parse_evse_id
from evsenet.domain.ids import EvseId, InvalidId, OperatorId
from evsenet.domain.inventory import PushAction, plan_push, validate_batch
from evsenet.formats import ParsedBatch, SourceRecord
from tests.unit.domain.test_inventory import evse

SCOPE = OperatorScope(OperatorId.parse("DE*ABC"))


def test_a_duplicate_is_refused_even_when_the_reader_refused_its_other_occurrence() -> None:
    unreadable = RecordProblem(
        0, "index", "DE*ABC*E1", "ChargingFacilities", "oicp.record.malformed", "not a list"
    )
    validated = validate_batch(
        ParsedBatch(
            PushAction.UPSERT,
            "index",
            [unreadable, SourceRecord(1, evse("de*abc*e1", city="Potsdam"))],
        ),
        SCOPE,
    )
    assert plan_push(validated, {}).inserts == []
    assert (1, "evse_id.duplicate_in_batch") in [(p.position, p.code) for p in validated.problems]


@pytest.mark.parametrize(
    "spelling",
    ["DE*ABC*E123*1", "deabce1231", "DEABC*E1231", "de*abcE123*1", " DE*ABC*e1*2*3*1 "],
)
def test_every_spelling_is_one_evse_and_pushable_by_its_operator(spelling: str) -> None:
    parsed = parse_evse_id(spelling, SCOPE)
    assert parsed == EvseId.parse("DE*ABC*E123*1")
    assert hash(parsed) == hash(EvseId.parse("DEABCE1231"))
    assert parsed.normalised == "DEABCE1231"


@pytest.mark.parametrize(
    ("hub", "sub", "evse_id", "allowed"),
    [
        ("+49*810", "+49*811", "49*811*000*1", True),
        ("+49*810", "49*811", "+49*811000*1", True),
        ("+49*810", "+49*811", "+49*812*1", False),
        ("+49*810", "+49*811", "+4*981*1", False),  # another country code, same digits
        ("+49*810", "+49*811", "+498*11*1", False),
        ("DE*ABC", "+49*811", "+49*811*1", True),
        ("+49*810", "DE*XYZ", "dexyze1", True),
        ("+49*810", "DE*XYZ", "DE*XYA*E1", False),
    ],
)
def test_numeric_sub_operator_prefixes(hub: str, sub: str, evse_id: str, allowed: bool) -> None:
    scope = OperatorScope(OperatorId.parse(hub), frozenset({OperatorId.parse(sub).normalised}))
    try:
        parsed = EvseId.parse(evse_id)
    except InvalidId:
        assert not allowed
        return
    assert scope.may_push(parsed) is allowed
