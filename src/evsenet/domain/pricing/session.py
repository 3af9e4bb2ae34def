"""What is priced: a session (or an OCPI CDR) as charging periods with their volumes.

A period runs from `start` to `end` (the next period's start, or the session's end) and
carries what the CDR measured in it: energy in kWh, charging, parking and reservation time
in hours (OCPI CdrDimensionType ENERGY, TIME, PARKING_TIME, RESERVATION_TIME), and the
current (A) and power (kW) that current and power restrictions are checked against. A
value the CDR does not carry is None, not zero: a restriction on it cannot match
(docs/pricing.md, scenario 22).

`check()` refuses what cannot be priced honestly with a `DomainError` (`session.*`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from evsenet.domain.errors import DomainError

ZERO = Decimal(0)
MAX_VOLUME = Decimal(1_000_000)
"""The largest volume a period may report (kWh, hours, A, kW): larger is no session."""
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Sessions are priced between these instants (local days around them must exist)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargingPeriod:
    """One CDR charging period: its span and volumes (None: not reported)."""

    start: datetime
    end: datetime
    energy_kwh: Decimal = ZERO
    charging_hours: Decimal = ZERO
    parking_hours: Decimal = ZERO
    reservation_hours: Decimal = ZERO
    current: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    power: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    tariff_id: str | None = None

    @property
    def is_reservation(self) -> bool:
        return self.reservation_hours > 0

    @property
    def is_charging(self) -> bool:
        return self.energy_kwh > 0 or self.charging_hours > 0

    def current_value(self) -> Decimal | None:
        """The current a current restriction is checked against (docs/pricing.md)."""
        for value in (self.current, self.max_current, self.min_current):
            if value is not None:
                return value
        return None

    def power_value(self) -> Decimal | None:
        """The power a power restriction is checked against (docs/pricing.md)."""
        for value in (self.power, self.max_power, self.min_power):
            if value is not None:
                return value
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A session to price: its span, the EVSE's IANA time zone and its periods.

    `currency_code` is the currency the CDR states (checked against the tariff's);
    `reservation_expired` says whether a reservation ended without charging (None: the CDR
    does not say, so it is inferred and a warning says so).
    """

    start: datetime
    end: datetime
    time_zone: ZoneInfo | None
    periods: tuple[ChargingPeriod, ...]
    currency_code: str | None = None
    reservation_expired: bool | None = None
    id: str | None = None

    def in_real_time(self) -> Session:
        """This session with every instant in UTC if any of them carries a zone with
        rules (a `ZoneInfo`), else itself. Python subtracts and compares two datetimes of
        the same tzinfo by their wall clocks: across a change of UTC offset a period from
        00:00 to 04:00 on the night summer time ends would last 4 h instead of 5. Fixed
        offsets (what a CDR states) are kept as they are."""
        instants = [self.start, self.end]
        for period in self.periods:
            instants += (period.start, period.end)
        if all(_fixed(instant) for instant in instants):
            return self
        return replace(
            self,
            start=_utc(self.start),
            end=_utc(self.end),
            periods=tuple(
                replace(period, start=_utc(period.start), end=_utc(period.end))
                for period in self.periods
            ),
        )

    def check(self) -> None:
        """Refuse a session that cannot be priced (typed errors, see docs/error-codes.md)."""
        for instant, name in ((self.start, "start_date_time"), (self.end, "end_date_time")):
            if instant.utcoffset() is None:
                raise DomainError(
                    "session.naive_datetime", f"{name} must carry a time zone", field=name
                )
        for instant, name in ((self.start, "start_date_time"), (self.end, "end_date_time")):
            if not EARLIEST <= instant < LATEST:
                raise DomainError(
                    "session.time_out_of_range",
                    f"{name} {instant.isoformat()} is not between 1970 and 9000",
                    field=name,
                )
        if self.end < self.start:
            raise DomainError(
                "session.end_before_start",
                f"The session ends ({self.end.isoformat()}) before it starts "
                f"({self.start.isoformat()})",
                field="end_date_time",
            )
        if not self.periods:
            raise DomainError(
                "session.no_periods",
                "The session has no charging periods, so there is nothing to price",
                field="charging_periods",
            )
        previous: ChargingPeriod | None = None
        for index, period in enumerate(self.periods):
            where = f"charging_periods[{index}]"
            if period.start.utcoffset() is None or period.end.utcoffset() is None:
                raise DomainError(
                    "session.naive_datetime",
                    f"{where} must carry a time zone",
                    field=f"{where}.start_date_time",
                )
            if not (EARLIEST <= period.start < LATEST and EARLIEST <= period.end < LATEST):
                raise DomainError(
                    "session.time_out_of_range",
                    f"{where} is not between 1970 and 9000",
                    field=f"{where}.start_date_time",
                )
            if period.end < period.start or (previous is not None and period.start < previous.end):
                raise DomainError(
                    "session.periods_out_of_order",
                    f"{where} starts at {period.start.isoformat()}, before the end of the "
                    "period before it (periods must be in time order)",
                    field=f"{where}.start_date_time",
                )
            for value in (
                period.energy_kwh,
                period.charging_hours,
                period.parking_hours,
                period.reservation_hours,
            ):
                if not (value.is_finite() and 0 <= value <= MAX_VOLUME):
                    _refuse_volume(index, period)
            for optional in (
                period.current,
                period.min_current,
                period.max_current,
                period.power,
                period.min_power,
                period.max_power,
            ):
                if optional is not None and not (
                    optional.is_finite() and 0 <= optional <= MAX_VOLUME
                ):
                    _refuse_volume(index, period)
            previous = period


_VOLUMES = (
    "energy_kwh",
    "charging_hours",
    "parking_hours",
    "reservation_hours",
    "current",
    "min_current",
    "max_current",
    "power",
    "min_power",
    "max_power",
)


def _refuse_volume(index: int, period: ChargingPeriod) -> None:
    """Raise `session.volume_negative` or `session.volume_too_large` naming the first bad
    volume of the period."""
    where = f"charging_periods[{index}]"
    for name in _VOLUMES:
        value = getattr(period, name)
        if value is None:
            continue
        if not (value.is_finite() and value >= 0):
            raise DomainError(
                "session.volume_negative",
                f"{where} has {name} {value}: volumes are numbers of at least 0",
                field=f"{where}.{name}",
            )
        if value > MAX_VOLUME:
            raise DomainError(
                "session.volume_too_large",
                f"{where} has {name} {value}, above {MAX_VOLUME}",
                field=f"{where}.{name}",
            )


def _fixed(instant: datetime) -> bool:
    """Whether Python computes with `instant` in real time: naive (refused by `check`) or
    at a fixed UTC offset."""
    return instant.tzinfo is None or isinstance(instant.tzinfo, timezone)


def _utc(instant: datetime) -> datetime:
    return instant if _fixed(instant) else instant.astimezone(UTC)
