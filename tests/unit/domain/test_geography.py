"""Countries and site time zones: derived where a country keeps one clock, else required."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.domain.geography import (
    GeographyError,
    country_alpha3,
    country_zones,
    resolve_time_zone,
    single_zone,
)


def _refused(alpha3: str, zone: str | None, offset: str | None = None) -> GeographyError:
    with pytest.raises(GeographyError) as caught:
        resolve_time_zone(alpha3, zone, offset)
    assert isinstance(caught.value, DomainError)
    return caught.value


# --- countries --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "alpha3"),
    [
        ("DEU", "DEU"),
        ("deu", "DEU"),
        (" DE ", "DEU"),
        ("de", "DEU"),
        ("FR", "FRA"),
        ("usa", "USA"),
        ("GB", "GBR"),
        ("PRT", "PRT"),
    ],
)
def test_country_codes_alpha2_and_alpha3_any_case(text: str, alpha3: str) -> None:
    assert country_alpha3(text) == alpha3


@pytest.mark.parametrize("text", ["XXX", "XX", "D", "DEUT", "Germany", "UK", "EU", "123"])
def test_unknown_country(text: str) -> None:
    with pytest.raises(GeographyError) as caught:
        country_alpha3(text)
    assert caught.value.code == "country.unknown"
    assert repr(text) in caught.value.message


@pytest.mark.parametrize("text", ["", "   "])
def test_missing_country(text: str) -> None:
    with pytest.raises(GeographyError) as caught:
        country_alpha3(text)
    assert caught.value.code == "country.missing"


def test_country_zones() -> None:
    assert country_zones("DEU") == ("Europe/Berlin", "Europe/Busingen")
    assert set(country_zones("ESP")) == {"Europe/Madrid", "Africa/Ceuta", "Atlantic/Canary"}
    assert "America/New_York" in country_zones("USA")
    assert country_zones("XXX") == ()


# --- derived zones ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alpha3", "zone"),
    [
        ("DEU", "Europe/Berlin"),  # two zones (Busingen), one clock
        ("FRA", "Europe/Paris"),
        ("NLD", "Europe/Amsterdam"),
        ("GBR", "Europe/London"),
        ("ITA", "Europe/Rome"),
        ("BEL", "Europe/Brussels"),
        ("AUT", "Europe/Vienna"),
        ("CHE", "Europe/Zurich"),
        ("POL", "Europe/Warsaw"),
        ("DNK", "Europe/Copenhagen"),
        ("IND", "Asia/Kolkata"),
        ("JPN", "Asia/Tokyo"),
    ],
)
def test_single_clock_countries_derive_their_zone(alpha3: str, zone: str) -> None:
    assert single_zone(alpha3) == zone
    assert resolve_time_zone(alpha3, None) == zone
    assert resolve_time_zone(alpha3, "") == zone
    assert resolve_time_zone(alpha3, "   ") == zone


@pytest.mark.parametrize(
    ("alpha3", "listed", "not_listed"),
    [
        (
            "USA",
            [
                "America/New_York",
                "America/Chicago",
                "America/Denver",
                "America/Phoenix",
                "America/Los_Angeles",
                "Pacific/Honolulu",
            ],
            ["America/Detroit"],
        ),
        ("ESP", ["Europe/Madrid", "Atlantic/Canary"], ["Africa/Ceuta"]),
        ("PRT", ["Europe/Lisbon", "Atlantic/Azores"], ["Atlantic/Madeira"]),
        ("CAN", ["America/Toronto", "America/Vancouver", "America/Halifax"], []),
        ("AUS", ["Australia/Perth", "Australia/Brisbane"], []),
        ("RUS", [], []),
        ("MEX", [], []),
    ],
)
def test_multi_clock_countries_require_a_zone(
    alpha3: str, listed: list[str], not_listed: list[str]
) -> None:
    assert single_zone(alpha3) is None
    error = _refused(alpha3, None)
    assert error.code == "time_zone.required"
    assert alpha3 in error.message
    for zone in listed:
        assert zone in error.message
    # One zone per clock is offered: zones that keep another's clock are not repeated.
    for zone in not_listed:
        assert zone not in error.message


# --- OICP UTC offsets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alpha3", "offset", "zone"),
    [
        ("USA", "UTC-05:00", "America/New_York"),
        ("USA", "utc-05:00", "America/New_York"),
        ("USA", "UTC-06:00", "America/Chicago"),
        ("USA", "UTC-08:00", "America/Los_Angeles"),
        ("PRT", "UTC+00:00", "Europe/Lisbon"),  # Lisbon and Madeira keep one clock
        ("PRT", "UTC-01:00", "Atlantic/Azores"),
        ("ESP", "UTC+01:00", "Europe/Madrid"),
        ("ESP", "UTC+00:00", "Atlantic/Canary"),
        ("AUS", "UTC+08:00", "Australia/Perth"),
        ("CAN", "UTC-03:30", "America/St_Johns"),
    ],
)
def test_unambiguous_offsets_resolve(alpha3: str, offset: str, zone: str) -> None:
    assert resolve_time_zone(alpha3, None, offset) == zone


@pytest.mark.parametrize(
    ("alpha3", "offset"),
    [
        ("USA", "UTC-07:00"),  # Denver keeps daylight saving time, Phoenix does not
        ("AUS", "UTC+10:00"),  # Sydney and Brisbane
        ("USA", "UTC-10:00"),  # Honolulu and Adak
        ("USA", ""),
        ("USA", "UTC-04:00"),  # New York's daylight time: which clock is it?
    ],
)
def test_ambiguous_or_missing_offsets_need_a_named_zone(alpha3: str, offset: str) -> None:
    assert _refused(alpha3, None, offset).code == "time_zone.required"


@pytest.mark.parametrize(
    ("alpha3", "zone", "offset"),
    [
        ("USA", None, "UTC+01:00"),  # no US clock at all
        ("DEU", None, "UTC+05:00"),
        ("DEU", None, "UTC-01:00"),
        ("DEU", "Europe/Berlin", "UTC+03:00"),
        ("USA", "America/Chicago", "UTC-08:00"),
    ],
)
def test_an_offset_the_site_never_shows_is_refused(
    alpha3: str, zone: str | None, offset: str
) -> None:
    error = _refused(alpha3, zone, offset)
    assert error.code == "time_zone.offset_mismatch"
    assert repr(offset) in error.message


@pytest.mark.parametrize(
    "offset", ["UTC-5", "GMT-05:00", "UTC-05:60", "UTC-05:60x", "UTC+0²:00", "garbage"]
)
def test_an_offset_not_written_like_oicp_is_malformed(offset: str) -> None:
    for alpha3 in ("DEU", "USA"):
        assert _refused(alpha3, None, offset).code == "time_zone.offset_malformed"


@pytest.mark.parametrize(
    ("offset", "zone"), [("UTC+01:00", "Europe/Berlin"), ("UTC+02:00", "Europe/Berlin")]
)
def test_a_single_clock_country_takes_its_standard_or_summer_offset(offset: str, zone: str) -> None:
    assert resolve_time_zone("DEU", None, offset) == zone


def test_a_named_zone_wins_over_the_offset() -> None:
    assert resolve_time_zone("USA", "America/Chicago", "UTC-05:00") == "America/Chicago"
    assert resolve_time_zone("DEU", None, "UTC+01:00") == "Europe/Berlin"


# --- named zones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alpha3", "zone"),
    [
        ("USA", "America/Chicago"),
        ("USA", "America/Phoenix"),
        ("USA", "America/Indiana/Indianapolis"),
        ("ESP", "Atlantic/Canary"),
        ("AUS", "Australia/Brisbane"),
        ("DEU", "Europe/Berlin"),
        ("DEU", "Europe/Busingen"),
        ("PRT", "Atlantic/Madeira"),
    ],
)
def test_zones_of_the_country_are_accepted(alpha3: str, zone: str) -> None:
    assert resolve_time_zone(alpha3, zone) == zone
    assert resolve_time_zone(alpha3, f"  {zone} ") == zone


@pytest.mark.parametrize(
    ("alpha3", "zone"),
    [
        ("USA", "US/Eastern"),
        ("USA", "US/Pacific"),
        ("GBR", "GB"),
        ("GBR", "Europe/Belfast"),
        ("IND", "Asia/Calcutta"),
        ("PRT", "Portugal"),
        ("UKR", "Europe/Kiev"),
    ],
)
def test_alias_zones_that_keep_the_country_clock_are_accepted(alpha3: str, zone: str) -> None:
    assert resolve_time_zone(alpha3, zone) == zone


@pytest.mark.parametrize(
    ("alpha3", "zone"),
    [
        ("DEU", "America/New_York"),
        ("USA", "Europe/Berlin"),
        ("FRA", "Asia/Tokyo"),
        ("GBR", "Europe/Berlin"),
        ("USA", "EST"),  # no daylight saving time: not the clock of any US zone
        ("DEU", "UTC"),
        ("ESP", "America/Chicago"),
        ("PRT", "Europe/Madrid"),
    ],
)
def test_zone_of_another_clock_is_refused(alpha3: str, zone: str) -> None:
    error = _refused(alpha3, zone)
    assert error.code == "time_zone.country_mismatch"
    assert repr(zone) in error.message
    assert alpha3 in error.message


@pytest.mark.parametrize(
    "zone",
    [
        "Mars/Olympus_Mons",
        "Europe/Berlinn",
        "Europe/Berlin/x",
        "America/",
        "../etc/passwd",
        "/etc/localtime",
        "UTC+01:00",
        "Europe/Berlin\x00",
    ],
)
def test_unknown_zones_are_refused(zone: str) -> None:
    error = _refused("DEU", zone)
    assert error.code == "time_zone.unknown"
    assert repr(zone.strip()) in error.message


@pytest.mark.parametrize(
    "zone",
    ["Europe", "America", "America/Indiana", pytest.param("x" * 300, id="300-characters")],
)
def test_zone_names_that_are_no_zone_files_are_unknown_not_a_crash(zone: str) -> None:
    # tzdata folders (`Europe`) and over-long names make zoneinfo raise OSError.
    assert _refused("USA", zone).code == "time_zone.unknown"


@given(
    st.sampled_from(["DEU", "USA", "ESP", "PRT", "GBR"]),
    st.one_of(
        st.none(),
        st.text(max_size=300),
        st.sampled_from(["Europe", "Asia", "Europe/Berlin", "America/Chicago", "Etc"]),
    ),
    st.one_of(st.none(), st.text(max_size=12), st.just("UTC-05:00")),
)
@settings(max_examples=200)
def test_any_input_resolves_or_is_refused_with_a_code(
    alpha3: str, zone: str | None, offset: str | None
) -> None:
    codes = {
        "time_zone.required",
        "time_zone.unknown",
        "time_zone.country_mismatch",
        "time_zone.offset_malformed",
        "time_zone.offset_mismatch",
    }
    outcome: str
    try:
        outcome = resolve_time_zone(alpha3, zone, offset)
    except GeographyError as error:
        outcome = error.code
    assert outcome in codes or outcome in country_zones(alpha3) or "/" in outcome
