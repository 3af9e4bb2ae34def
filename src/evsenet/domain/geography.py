"""Countries (ISO 3166-1) and the IANA time zones of EVSE sites.

A site's time zone is derived from its country when every zone of the country keeps the
same clock from now on (Germany's Europe/Berlin and Europe/Busingen do); otherwise the
record must name it. OICP 2.3 only carries a UTC offset (`UTC+01:00`); where the offset
picks one clock among the country's zones, that clock is taken.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry

from evsenet.domain.errors import DomainError

_SIGNATURE_START = datetime(datetime.now(UTC).year, 1, 1, tzinfo=UTC)
_SIGNATURE_STEP = timedelta(hours=6)
_SIGNATURE_SAMPLES = 4 * 366 * 2


class GeographyError(DomainError):
    """A country or time zone is unknown or does not fit the site."""


@lru_cache(maxsize=1024)
def country_alpha3(text: str) -> str:
    """ISO 3166-1 alpha-3 code for an alpha-2 or alpha-3 code (any case)."""
    value = (text or "").strip().upper()
    if not value:
        raise GeographyError("country.missing", "A country is required (ISO 3166-1, e.g. DEU)")
    country = None
    if len(value) == 3:
        country = pycountry.countries.get(alpha_3=value)
    elif len(value) == 2:
        country = pycountry.countries.get(alpha_2=value)
    if country is None:
        raise GeographyError(
            "country.unknown",
            f"{text.strip()!r} is not an ISO 3166-1 country code (use alpha-3 like DEU, "
            "or alpha-2 like DE)",
        )
    return str(country.alpha_3)


@lru_cache(maxsize=1)
def _zones_by_alpha2() -> dict[str, tuple[str, ...]]:
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, name = line.split("\t")[:3]
            zones.setdefault(code, []).append(name)
    return {code: tuple(names) for code, names in zones.items()}


def country_zones(alpha3: str) -> tuple[str, ...]:
    """The IANA zones of a country, most populous first (tzdb's zone.tab order)."""
    country = pycountry.countries.get(alpha_3=alpha3)
    if country is None:
        return ()
    return _zones_by_alpha2().get(str(country.alpha_2), ())


@lru_cache(maxsize=1024)
def _clock_signature(zone: str) -> tuple[timedelta | None, ...]:
    """The zone's UTC offsets sampled over the coming two years: equal means same clock."""
    tz = ZoneInfo(zone)
    return tuple(
        (_SIGNATURE_START + i * _SIGNATURE_STEP).astimezone(tz).utcoffset()
        for i in range(_SIGNATURE_SAMPLES)
    )


def _distinct_clocks(zones: tuple[str, ...]) -> list[str]:
    """The first zone of each group of zones that keep the same clock."""
    seen: dict[tuple[timedelta | None, ...], str] = {}
    for zone in zones:
        seen.setdefault(_clock_signature(zone), zone)
    return list(seen.values())


@lru_cache(maxsize=512)
def single_zone(alpha3: str) -> str | None:
    """The country's zone when it has one clock; None when a record must name it."""
    clocks = _distinct_clocks(country_zones(alpha3))
    return clocks[0] if len(clocks) == 1 else None


def _parse_utc_offset(text: str) -> timedelta | None:
    value = text.strip().upper()
    if len(value) != 9 or not value.startswith("UTC") or value[3] not in "+-" or value[6] != ":":
        return None
    hours, minutes = value[4:6], value[7:9]
    if not (value.isascii() and hours.isdigit() and minutes.isdigit() and minutes < "60"):
        return None
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    return -offset if value[3] == "-" else offset


def _standard_offset(zone: str) -> timedelta | None:
    moment = datetime(_SIGNATURE_START.year, 1, 15, tzinfo=UTC).astimezone(ZoneInfo(zone))
    offset, dst = moment.utcoffset(), moment.dst()
    return None if offset is None else offset - (dst or timedelta(0))


@lru_cache(maxsize=1024)
def _zones_with_standard_offset(alpha3: str, offset: timedelta) -> list[str]:
    zones = tuple(z for z in country_zones(alpha3) if _standard_offset(z) == offset)
    return _distinct_clocks(zones)


def _valid_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise GeographyError(
            "time_zone.unknown",
            f"{name!r} is not an IANA time zone (e.g. Europe/Berlin, America/New_York)",
        ) from None


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; `GeographyError` `time_zone.unknown` when there is none."""
    return _valid_zone(name)


@lru_cache(maxsize=1024)
def _zone_fits_country(zone: str, alpha3: str) -> bool:
    zones = country_zones(alpha3)
    if not zones or zone in zones:
        return True
    return _clock_signature(zone) in {_clock_signature(z) for z in zones}


def resolve_time_zone(alpha3: str, zone: str | None, utc_offset: str | None = None) -> str:
    """The IANA zone of a site in `alpha3`: as named, or derived from the country.

    A named zone must exist and keep the clock of one of the country's zones. An OICP UTC
    offset must be written like `UTC+01:00` and be one the site's clock shows (standard or
    daylight saving time); where the country has several clocks it picks the one whose
    standard offset it is.
    """
    offset = _offset(utc_offset)
    if zone and zone.strip():
        return _checked(_named_zone(zone.strip(), alpha3), offset, utc_offset)
    derived = single_zone(alpha3)
    if derived is not None:
        return _checked(derived, offset, utc_offset)
    if offset is not None:
        candidates = _zones_with_standard_offset(alpha3, offset)
        if len(candidates) == 1:
            return candidates[0]
        if not any(offset in _offsets_in_use(z) for z in country_zones(alpha3)):
            raise _offset_mismatch(utc_offset, f"no clock of country {alpha3}")
    zones = country_zones(alpha3)
    listing = ", ".join(_distinct_clocks(zones)) if zones else "none known"
    raise GeographyError(
        "time_zone.required",
        f"Country {alpha3} has several time zones; name the site's IANA time zone "
        f"(one of: {listing})",
    )


def _named_zone(name: str, alpha3: str) -> str:
    _valid_zone(name)
    if not _zone_fits_country(name, alpha3):
        raise GeographyError(
            "time_zone.country_mismatch",
            f"Time zone {name!r} is not a time zone of country {alpha3}; "
            f"its zones are {', '.join(country_zones(alpha3))}",
        )
    return name


def _offset(text: str | None) -> timedelta | None:
    if not text or not text.strip():
        return None
    offset = _parse_utc_offset(text)
    if offset is None:
        raise GeographyError(
            "time_zone.offset_malformed",
            f"UTC offset {text.strip()!r} is not written like UTC+01:00 or UTC-05:00",
        )
    return offset


def _checked(zone: str, offset: timedelta | None, text: str | None) -> str:
    if offset is not None and offset not in _offsets_in_use(zone):
        raise _offset_mismatch(text, f"the clock of {zone}")
    return zone


@lru_cache(maxsize=1024)
def _offsets_in_use(zone: str) -> frozenset[timedelta | None]:
    return frozenset(_clock_signature(zone))


def _offset_mismatch(text: str | None, whose: str) -> GeographyError:
    return GeographyError(
        "time_zone.offset_mismatch",
        f"UTC offset {(text or '').strip()!r} is not an offset of {whose}; "
        "send the site's standard offset (e.g. UTC+01:00 in Germany) or its IANA time zone",
    )
