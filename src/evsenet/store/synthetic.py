"""Synthetic EVSEs written by set-based SQL, for benchmarks, load tests and demos that need
a million rows in seconds (the import service validates every record and is far slower).

EVSE `n` (1-based) of an operator with ID `DE*ABC` is `DE*ABC*E{n}`, in one of
`len(CITIES)` German cities by `n`, a power type and output by `n`: filters select
predictable fractions (a city 1/20, DC 1/3, a city and DC 1/60).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, text

from evsenet.domain.ids import OperatorId
from evsenet.store.repositories.counters import Counters
from evsenet.store.types import UtcDateTime

CITIES = (
    ("Berlin", "10115"),
    ("Hamburg", "20095"),
    ("München", "80331"),
    ("Köln", "50667"),
    ("Frankfurt am Main", "60311"),
    ("Stuttgart", "70173"),
    ("Düsseldorf", "40213"),
    ("Leipzig", "04109"),
    ("Dortmund", "44135"),
    ("Essen", "45127"),
    ("Bremen", "28195"),
    ("Dresden", "01067"),
    ("Hannover", "30159"),
    ("Nürnberg", "90402"),
    ("Duisburg", "47051"),
    ("Bochum", "44787"),
    ("Wuppertal", "42103"),
    ("Bielefeld", "33602"),
    ("Bonn", "53111"),
    ("Münster", "48143"),
)
POWER = (("AC_1_PHASE", "11"), ("AC_3_PHASE", "22"), ("DC", "150"))


def _case(expression: str, values: list[str]) -> str:
    whens = " ".join(f"WHEN {i} THEN '{value}'" for i, value in enumerate(values))
    return f"CASE {expression} {whens} END"


def generate_evses(
    connection: Connection,
    operator_pk: int,
    operator: OperatorId,
    count: int,
    start: int = 1,
    *,
    cities: int = len(CITIES),
) -> None:
    """Insert EVSEs `start` … `start + count - 1` for the operator, in one statement, in
    the first `cities` cities (EVSE n in city n % cities)."""
    places = CITIES[:cities]
    city = _case(f"n % {len(places)}", [c for c, _ in places])
    city_key = _case(f"n % {len(places)}", [c.casefold() for c, _ in places])
    postal = _case(f"n % {len(places)}", [p for _, p in places])
    power = _case(f"n % {len(POWER)}", [p for p, _ in POWER])
    output = f"CAST({_case(f'n % {len(POWER)}', [o for _, o in POWER])} AS NUMERIC)"
    sent, normalised = operator.display + "*E", operator.normalised + "E"
    last = start + count - 1
    if connection.dialect.name == "postgresql":
        numbers = f"SELECT generate_series({start}, {last}) AS n"
        concat = "CAST(n AS TEXT)"
    else:
        numbers = (
            f"WITH RECURSIVE series(n) AS (SELECT {start} UNION ALL "
            f"SELECT n + 1 FROM series WHERE n < {last}) SELECT n FROM series"
        )
        concat = "CAST(n AS TEXT)"
    connection.execute(
        text(
            "INSERT INTO evses (operator_pk, evse_id, evse_id_sent, charging_station_id, "
            "country, city, postal_code, city_key, postal_code_key, street, house_number, "
            "latitude, longitude, power_type, output_kw, plugs, time_zone, created_at, "
            "updated_at) "
            f"SELECT :operator_pk, :normalised || {concat}, :sent || {concat}, "
            f"'STATION ' || {concat}, 'DEU', {city}, {postal}, {city_key}, {postal}, "
            f"'Hauptstraße', {concat}, 52.5, 13.4, {power}, {output}, 'Type 2 Outlet', "
            f"'Europe/Berlin', :now, :now FROM ({numbers}) AS numbers"
        ).bindparams(bindparam("now", type_=UtcDateTime)),
        {
            "operator_pk": operator_pk,
            "normalised": normalised,
            "sent": sent,
            "now": datetime.now(UTC),
        },
    )
    Counters(connection).changed(operator_pk, count)
