"""Operator, provider and EVSE identifiers: one ID, many spellings; every fault its code."""

from __future__ import annotations

import string

import pycountry
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.ids import EVSE_ID_MAX_LENGTH, EvseId, InvalidId, OperatorId, ProviderId

ALPHA2 = sorted(str(country.alpha_2) for country in pycountry.countries)
NOT_ALPHA2 = sorted(
    {a + b for a in string.ascii_uppercase for b in string.ascii_uppercase} - set(ALPHA2)
)
ALNUM = string.ascii_letters + string.digits

countries = st.sampled_from(ALPHA2)
unknown_countries = st.sampled_from(NOT_ALPHA2)
parties = st.text(ALNUM, min_size=3, max_size=3)
locals_ = st.text(ALNUM, min_size=1, max_size=20)
separators = st.sampled_from(["", "*"])


@st.composite
def any_case(draw: st.DrawFn, text: str) -> str:
    """`text` with every letter in upper or lower case, as the drawing decides."""
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.swapcase() if flip else c for c, flip in zip(text, flips, strict=True))


@st.composite
def starred(draw: st.DrawFn, text: str, limit: int) -> str:
    """`text` with optional `*` separators anywhere, keeping at most `limit` characters."""
    stars = draw(st.lists(st.booleans(), min_size=len(text) + 1, max_size=len(text) + 1))
    spare = limit - len(text)
    out: list[str] = []
    for index, star in enumerate(stars):
        if star and spare > 0:
            out.append("*")
            spare -= 1
        if index < len(text):
            out.append(text[index])
    return "".join(out)


@st.composite
def iso_evse(draw: st.DrawFn) -> tuple[str, str, str]:
    """(a spelling of a valid ISO-form EVSE ID, its normalised form, its operator)."""
    country, party, local = draw(countries), draw(parties), draw(locals_)
    spelled_local = draw(starred(local, 30))
    spelling = (
        draw(any_case(country))
        + draw(separators)
        + draw(any_case(party))
        + draw(separators)
        + draw(st.sampled_from(["E", "e"]))
        + draw(any_case(spelled_local))
    )
    operator = (country + party).upper()
    return spelling, f"{operator}E{local.upper()}", operator


calling_codes = st.integers(1, 999).map(str)
numeric_parties = st.text(string.digits, min_size=3, max_size=3)
numeric_locals = st.text(string.digits, min_size=1, max_size=20)


@st.composite
def numeric_evse(draw: st.DrawFn) -> tuple[str, str, tuple[str, str, str]]:
    """(a spelling of a numeric EVSE ID, its normalised form, (code, operator, local))."""
    code, party, local = draw(calling_codes), draw(numeric_parties), draw(numeric_locals)
    spelling = draw(st.sampled_from(["", "+"])) + f"{code}*{party}*" + draw(starred(local, 32))
    return spelling, f"+{code}*{party}{local}", (code, party, local)


def _raises(parse: object, text: str | None) -> InvalidId:
    assert callable(parse)
    with pytest.raises(InvalidId) as caught:
        parse(text)
    assert isinstance(caught.value, DomainError)
    return caught.value


# --- EVSE IDs: spellings --------------------------------------------------------------


@given(iso_evse(), iso_evse())
@settings(max_examples=200)
def test_every_iso_spelling_parses_to_one_normalised_form(
    first: tuple[str, str, str], other: tuple[str, str, str]
) -> None:
    spelling, normalised, operator = first
    parsed = EvseId.parse(spelling)
    assert parsed.normalised == normalised
    assert parsed.sent == spelling
    assert parsed.operator == operator
    assert parsed == EvseId.parse(normalised.lower())
    assert hash(parsed) == hash(EvseId.parse(normalised))
    # Two IDs are one ID exactly when their normalised forms agree.
    assert (parsed == EvseId.parse(other[0])) == (normalised == other[1])


@given(iso_evse())
@settings(max_examples=100)
def test_padding_blanks_are_not_part_of_the_id(case: tuple[str, str, str]) -> None:
    spelling, normalised, _ = case
    parsed = EvseId.parse(f"  {spelling}\t")
    assert parsed.normalised == normalised
    assert parsed.sent == spelling


@given(iso_evse())
@settings(max_examples=100)
def test_normalised_form_round_trips(case: tuple[str, str, str]) -> None:
    normalised = EvseId.parse(case[0]).normalised
    again = EvseId.parse(normalised)
    assert again.normalised == normalised
    assert again.sent == normalised
    assert EvseId.parse(again.normalised).normalised == normalised


@given(iso_evse())
@settings(max_examples=100)
def test_operator_part_is_the_operator_id(case: tuple[str, str, str]) -> None:
    spelling, _, operator = case
    parsed = EvseId.parse(spelling)
    owner = OperatorId.parse(f"{operator[:2].lower()}*{operator[2:]}")
    assert parsed.operator == owner.normalised
    assert parsed.belongs_to(owner)
    other_party = "ZZ9" if operator[2:] != "ZZ9" else "ZZ8"
    assert not parsed.belongs_to(OperatorId.parse(operator[:2] + other_party))


def test_the_documented_spellings_are_one_evse() -> None:
    ids = [EvseId.parse(t) for t in ("DE*ABC*E123*1", "deabce1231", "DEABC*E1231", "DE*ABCE1231")]
    assert {i.normalised for i in ids} == {"DEABCE1231"}
    assert [i.sent for i in ids] == ["DE*ABC*E123*1", "deabce1231", "DEABC*E1231", "DE*ABCE1231"]
    assert len(set(ids)) == 1
    assert str(ids[0]) == "DE*ABC*E123*1"
    assert EvseId.parse("DE*XYZ*ETEST1").operator == "DEXYZ"


def test_a_local_part_may_itself_start_with_e() -> None:
    assert EvseId.parse("DE*ABC*EE1").normalised == "DEABCEE1"
    assert EvseId.parse("DEABCEE1").normalised == "DEABCEE1"
    assert EvseId.parse("DE*ABC*E1") != EvseId.parse("DE*ABC*EE1")


# --- EVSE IDs: the numeric form ---------------------------------------------------------


@given(numeric_evse())
@settings(max_examples=200)
def test_every_numeric_spelling_parses_to_one_normalised_form(
    case: tuple[str, str, tuple[str, str, str]],
) -> None:
    spelling, normalised, (code, party, local) = case
    parsed = EvseId.parse(spelling)
    assert parsed.normalised == normalised
    assert parsed.operator == f"+{code}*{party}"
    assert parsed.operator == OperatorId.parse(f"{code}*{party}").normalised
    assert EvseId.parse(f"+{code}*{party}*{local}") == parsed


@given(numeric_evse())
@settings(max_examples=100)
def test_numeric_normalised_form_round_trips(
    case: tuple[str, str, tuple[str, str, str]],
) -> None:
    normalised = EvseId.parse(case[0]).normalised
    again = EvseId.parse(normalised)
    assert again.normalised == normalised
    assert again.operator == EvseId.parse(case[0]).operator


def test_documented_numeric_normalised_form_parses() -> None:
    # ids.py documents `+49*810000438` as the normalised form of `+49*810*000*438`.
    assert EvseId.parse("+49*810000438") == EvseId.parse("+49*810*000*438")


@given(numeric_evse(), numeric_evse())
@settings(max_examples=200)
def test_numeric_ids_keep_the_country_operator_boundary(
    first: tuple[str, str, tuple[str, str, str]],
    second: tuple[str, str, tuple[str, str, str]],
) -> None:
    one, other = EvseId.parse(first[0]), EvseId.parse(second[0])
    assert (one == other) == (first[2] == second[2])
    assert (one.operator == other.operator) == (first[2][:2] == second[2][:2])


def test_numeric_boundary_examples() -> None:
    one, two = EvseId.parse("+1*234*5678"), EvseId.parse("+12*345*678")
    assert one != two
    assert (one.operator, two.operator) == ("+1*234", "+12*345")
    assert one.normalised != two.normalised
    doc = EvseId.parse("+49*810*000*438")
    assert doc.normalised == "+49*810000438"
    assert doc == EvseId.parse("49*810*000438")
    assert doc.belongs_to(OperatorId.parse("+49*810"))
    assert not doc.belongs_to(OperatorId.parse("+4*981"))


# --- EVSE IDs: faults -------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", " ", "\t\n  "])
def test_missing_evse_id(text: str | None) -> None:
    error = _raises(EvseId.parse, text)
    assert error.code == "evse_id.missing"
    assert "required" in error.message


@given(
    st.text(ALNUM + "*+-#", min_size=EVSE_ID_MAX_LENGTH + 1, max_size=80).filter(
        lambda t: t.strip() == t
    )
)
@settings(max_examples=100)
def test_too_long_evse_id(text: str) -> None:
    error = _raises(EvseId.parse, text)
    assert error.code == "evse_id.too_long"
    assert repr(text[:20]) in error.message
    assert str(len(text)) in error.message


def test_forty_one_characters_are_allowed() -> None:
    text = "DE*ABC*E" + "1" * 30 + "*12"  # 41 characters, 30 after the 'E'
    with pytest.raises(InvalidId) as caught:
        EvseId.parse(text)
    assert caught.value.code == "evse_id.malformed"  # 32 characters after 'E'
    ok = "DE*ABC*E" + "1" * 29 + "*"
    assert EvseId.parse(ok).normalised == "DEABCE" + "1" * 29
    numeric = "+49*810*" + "1" * 33
    assert len(numeric) == EVSE_ID_MAX_LENGTH
    with pytest.raises(InvalidId, match="malformed"):
        EvseId.parse(numeric)
    assert EvseId.parse("+49*810*" + "1" * 32).normalised == "+49*810" + "1" * 32


@given(iso_evse(), st.sampled_from(list("-#/.,;:_!?&%$§äöüÄéß€")), st.data())
@settings(max_examples=200)
def test_a_foreign_character_anywhere_is_malformed(
    case: tuple[str, str, str], char: str, data: st.DataObject
) -> None:
    spelling = case[0]
    where = data.draw(st.integers(0, len(spelling)))
    text = spelling[:where] + char + spelling[where:]
    assume(len(text) <= EVSE_ID_MAX_LENGTH)
    error = _raises(EvseId.parse, text)
    assert error.code == "evse_id.malformed"
    assert repr(text.strip()) in error.message


@given(unknown_countries, parties, separators, locals_)
@settings(max_examples=100)
def test_unknown_country_in_evse_id(country: str, party: str, sep: str, local: str) -> None:
    text = f"{country}{sep}{party}{sep}E{local}"
    error = _raises(EvseId.parse, text)
    assert error.code == "evse_id.unknown_country"
    assert repr(text) in error.message
    assert country in error.message


@pytest.mark.parametrize(
    "text",
    [
        "DE",
        "D",
        "DE*AB",
        "DE*ABC",
        "DE*ABC*",
        "DE*ABC*E",
        "DE*ABC*E**",
        "DE*ABC*X1",
        "DE*ABC*123",
        "DE**ABC*E1",
        "DE*ABC**E1",
        "D1*ABC*E1",
        "DE*A-C*E1",
        "DE*AB*E1",
        "DE-ABC-E1",
        "DE*ABC *E1",
        "DE*ABC*E1 2",
        "DE*ABC*E" + "1" * 31,
        "+",
        "+49",
        "+49*810",
        "+49*810*",
        "+49*810***",
        "+49810000438",
        "+1234*810*1",
        "+49*81*0001",
        "+49*ABC*1",
        "49*810*12A",
    ],
)
def test_malformed_evse_ids(text: str) -> None:
    error = _raises(EvseId.parse, text)
    assert error.code == "evse_id.malformed"
    assert repr(text) in error.message


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("DE*ABC*1", "'E'"),
        ("DE*ABC*E", "nothing follows the 'E'"),
        ("DEAB", "operator part"),
        ("DE*AB*E1", "operator part"),
        ("DE*ABC*E" + "1" * 31, "at most 30"),
        ("DE*A#C*E1", "'#' is not allowed"),
        ("1E*ABC*E1", "numeric EVSE IDs"),
    ],
)
def test_malformed_evse_id_message_names_the_fault(text: str, hint: str) -> None:
    assert hint in _raises(EvseId.parse, text).message


# --- Operator IDs -----------------------------------------------------------------------


@given(countries, parties, separators, st.data())
@settings(max_examples=200)
def test_operator_id_spellings(country: str, party: str, sep: str, data: st.DataObject) -> None:
    spelling = data.draw(any_case(country)) + sep + data.draw(any_case(party))
    parsed = OperatorId.parse(f" {spelling} ")
    assert parsed.normalised == (country + party).upper()
    assert parsed.display == f"{country}*{party.upper()}"
    assert str(parsed) == parsed.display
    assert OperatorId.parse(parsed.display) == parsed
    assert OperatorId.parse(parsed.normalised) == parsed


@given(calling_codes, numeric_parties, st.booleans())
@settings(max_examples=100)
def test_numeric_operator_ids(code: str, party: str, plus: bool) -> None:
    parsed = OperatorId.parse(("+" if plus else "") + f"{code}*{party}")
    assert parsed.normalised == parsed.display == f"+{code}*{party}"
    assert OperatorId.parse(parsed.display) == parsed


def test_numeric_operator_boundary() -> None:
    assert OperatorId.parse("+1*234") != OperatorId.parse("+12*345")
    assert OperatorId.parse("+1*234").normalised != OperatorId.parse("+12*345").normalised


@pytest.mark.parametrize("text", [None, "", "   "])
def test_missing_operator_id(text: str | None) -> None:
    assert _raises(OperatorId.parse, text).code == "operator_id.missing"


@given(unknown_countries, parties, separators)
@settings(max_examples=50)
def test_operator_id_with_unknown_country(country: str, party: str, sep: str) -> None:
    text = country + sep + party
    error = _raises(OperatorId.parse, text)
    assert error.code == "operator_id.unknown_country"
    assert repr(text) in error.message


@pytest.mark.parametrize(
    "text",
    [
        "DE",
        "DE*AB",
        "DE*ABCD",
        "DE-ABC",
        "DE**ABC",
        "D*ABC",
        "DE*A#C",
        "+49810",
        "+1234*567",
        "+49*81",
        "+49*8100",
        "DE*ABC*E1",
        "ÄB*CDE",
    ],
)
def test_malformed_operator_ids(text: str) -> None:
    error = _raises(OperatorId.parse, text)
    assert error.code == "operator_id.malformed"
    assert repr(text) in error.message


# --- Provider IDs -----------------------------------------------------------------------


@given(countries, parties, st.sampled_from(["", "*", "-"]), st.data())
@settings(max_examples=200)
def test_provider_id_spellings(country: str, party: str, sep: str, data: st.DataObject) -> None:
    spelling = data.draw(any_case(country)) + sep + data.draw(any_case(party))
    parsed = ProviderId.parse(spelling)
    assert parsed.normalised == (country + party).upper()
    assert parsed.display == f"{country}*{party.upper()}"
    assert ProviderId.parse(parsed.display) == parsed
    assert ProviderId.parse(parsed.normalised) == parsed
    assert str(parsed) == parsed.display


@pytest.mark.parametrize("text", [None, "", "  "])
def test_missing_provider_id(text: str | None) -> None:
    assert _raises(ProviderId.parse, text).code == "provider_id.missing"


@given(unknown_countries, parties, st.sampled_from(["", "*", "-"]))
@settings(max_examples=50)
def test_provider_id_with_unknown_country(country: str, party: str, sep: str) -> None:
    text = country + sep + party
    error = _raises(ProviderId.parse, text)
    assert error.code == "provider_id.unknown_country"
    assert repr(text) in error.message


@pytest.mark.parametrize(
    "text", ["DE", "DE*IC", "DE*ICEE", "DE--ICE", "DE*-ICE", "DE_ICE", "+49*810", "D*ICE", "DE*I#E"]
)
def test_malformed_provider_ids(text: str) -> None:
    error = _raises(ProviderId.parse, text)
    assert error.code == "provider_id.malformed"
    assert repr(text) in error.message
