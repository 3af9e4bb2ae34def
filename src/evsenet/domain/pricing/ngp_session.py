"""An NGP charging session (what a hub's CDR says) as the engine's `Session`.

A session has a start and an end (plugged in, plugged out), a charging start and end
inside it, and the energy charged. The engine sees up to three periods: waiting before
charging (parking time), charging (energy and charging time), and parking after charging.
Energy is the kWh given, or the difference of the meter readings; when both are given and
differ by more than one Wh the kWh given is priced and a warning says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from evsenet.domain.errors import DomainError
from evsenet.domain.pricing.breakdown import PricingWarning
from evsenet.domain.pricing.session import MAX_VOLUME, ChargingPeriod, Session

HOUR_SECONDS = Decimal(3600)
METER_TOLERANCE_KWH = Decimal("0.001")
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class NgpSession:
    """A session at an EVSE as a hub reports it; meter readings in kWh, optional."""

    session_start: datetime
    session_end: datetime
    charging_start: datetime | None = None
    charging_end: datetime | None = None
    energy_kwh: Decimal | None = None
    meter_start_kwh: Decimal | None = None
    meter_end_kwh: Decimal | None = None


def _aware(instant: datetime, field: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DomainError(
            "session.naive_datetime",
            f"{field} {instant.isoformat()} needs a UTC offset",
            field=field,
        )


def _energy(session: NgpSession) -> tuple[Decimal, list[PricingWarning]]:
    readings = (session.meter_start_kwh, session.meter_end_kwh)
    for value, field in (
        (session.energy_kwh, "energy_kwh"),
        (session.meter_start_kwh, "meter_start_kwh"),
        (session.meter_end_kwh, "meter_end_kwh"),
    ):
        if value is not None and not (value.is_finite() and value >= 0):
            raise DomainError(
                "session.volume_negative",
                f"{field} {value} is not a number of at least 0",
                field=field,
            )
        if value is not None and field == "energy_kwh" and value > MAX_VOLUME:
            raise DomainError(
                "session.volume_too_large", f"{field} {value} is above {MAX_VOLUME}", field=field
            )
    metered: Decimal | None = None
    if all(r is not None for r in readings):
        start, end = readings
        assert start is not None
        assert end is not None
        if end < start:
            raise DomainError(
                "session.meter_reversed",
                f"The meter reads {end} kWh at the end, less than {start} kWh at the start",
                field="meter_end_kwh",
            )
        metered = end - start
    elif any(r is not None for r in readings):
        raise DomainError(
            "session.meter_incomplete",
            "Give both meter readings (start and end) or neither",
            field="meter_start_kwh" if session.meter_start_kwh is None else "meter_end_kwh",
        )
    if session.energy_kwh is None and metered is None:
        raise DomainError(
            "session.energy_missing",
            "The session needs energy_kwh or both meter readings",
            field="energy_kwh",
        )
    if session.energy_kwh is None:
        assert metered is not None
        return metered, []
    warnings = []
    if metered is not None and abs(metered - session.energy_kwh) > METER_TOLERANCE_KWH:
        warnings.append(
            PricingWarning(
                code="session.meter_differs",
                message=f"The meter readings give {metered} kWh, energy_kwh says "
                f"{session.energy_kwh} kWh; {session.energy_kwh} kWh is priced",
                path="energy_kwh",
            )
        )
    return session.energy_kwh, warnings


def engine_session(
    session: NgpSession, zone: ZoneInfo, *, id: str | None = None
) -> tuple[Session, tuple[PricingWarning, ...]]:
    """The engine's session for `session` at an EVSE in `zone`, and warnings.

    Raises `DomainError`: `session.end_before_start`, `session.charging_outside` (charging
    starts before the session or ends after it, or ends before it starts),
    `session.charging_incomplete` (one of charging start/end given), `session.volume_negative`,
    `session.energy_missing`, `session.meter_*`, `session.naive_datetime`.
    """
    for instant, field in (
        (session.session_start, "session_start"),
        (session.session_end, "session_end"),
        (session.charging_start, "charging_start"),
        (session.charging_end, "charging_end"),
    ):
        if instant is not None:
            _aware(instant, field)
    # In UTC: Python subtracts two datetimes of one zone by wall clock, which is wrong
    # across a DST change; the engine measures real time.
    session = replace(
        session,
        session_start=session.session_start.astimezone(UTC),
        session_end=session.session_end.astimezone(UTC),
        charging_start=session.charging_start and session.charging_start.astimezone(UTC),
        charging_end=session.charging_end and session.charging_end.astimezone(UTC),
    )
    start, end = session.session_start, session.session_end
    if end < start:
        raise DomainError(
            "session.end_before_start",
            f"The session ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            field="session_end",
        )
    kwh, warnings = _energy(session)
    if (session.charging_start is None) != (session.charging_end is None):
        raise DomainError(
            "session.charging_incomplete",
            "Give both charging_start and charging_end, or neither (the whole session charged)",
            field="charging_end" if session.charging_end is None else "charging_start",
        )
    charge_from = session.charging_start or start
    charge_to = session.charging_end or end
    if not start <= charge_from <= charge_to <= end:
        raise DomainError(
            "session.charging_outside",
            f"Charging {charge_from.isoformat()}…{charge_to.isoformat()} is not inside the "
            f"session {start.isoformat()}…{end.isoformat()} (or ends before it starts)",
            field="charging_start",
        )
    if kwh > 0 and charge_from == charge_to:
        raise DomainError(
            "session.energy_without_charging",
            f"{kwh} kWh were charged in no time: charging_start equals charging_end",
            field="energy_kwh",
        )
    periods: list[ChargingPeriod] = []
    if charge_from > start:
        periods.append(_period(start, charge_from))
    if charge_to > charge_from or not periods:
        periods.append(
            ChargingPeriod(
                start=charge_from,
                end=charge_to,
                energy_kwh=kwh,
                charging_hours=_hours(charge_from, charge_to),
            )
        )
    if end > charge_to:
        periods.append(_period(charge_to, end))
    return (
        Session(start=start, end=end, time_zone=zone, periods=tuple(periods), id=id),
        tuple(warnings),
    )


def _hours(start: datetime, end: datetime) -> Decimal:
    delta = end - start
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return Decimal(micros) / 1_000_000 / HOUR_SECONDS


def _period(start: datetime, end: datetime) -> ChargingPeriod:
    return ChargingPeriod(start=start, end=end, parking_hours=_hours(start, end))
