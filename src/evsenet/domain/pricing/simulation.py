"""A simulated session as a person describes it, and its price as stacked bars.

"30 kWh, 45 minutes from Tuesday 18:30 at this EVSE" is a `SessionPlan`: a wall-clock
start at the EVSE (a date, or the next such weekday), how long it charges, how long it
stays plugged in afterwards, and the energy. `SessionPlan.request_in(zone)` turns it into
the `SessionRequest` the pricing service prices, once the EVSE's zone is known.

`bar_chart` lays a simulation's chart data (`ChartBar`, summed per slot and component)
out as stacked bars: one per slot and one for the whole session, every segment with its
offset and width as fractions of the largest bar, so that a renderer only scales them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from evsenet.domain.errors import DomainError
from evsenet.domain.pricing.ngp_session import NgpSession
from evsenet.domain.pricing.priced_session import ChartBar, SessionRequest

ZERO = Decimal(0)
MAX_MINUTES = 14 * 24 * 60
"""The longest charging or idle time a simulation takes: two weeks."""
FIRST_DAY = date(1970, 1, 2)
LAST_DAY = date(8999, 12, 1)
"""The days a simulated session may start on: the engine takes times from 1970 to 9000."""
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
COMPONENTS = ("CHARGING_ENERGY", "CHARGING_TIME", "PARKING", "SESSION", "RESERVATION")
"""The components in the order bars stack them and legends list them."""
WHOLE_SESSION = "Whole session"


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPlan:
    """A session to simulate, in the EVSE's local wall-clock time.

    The start is `on` (a date) or, without one, the first `weekday` (0 = Monday) on or
    after `today` at the EVSE. Charging starts with the session and lasts
    `charging_minutes`; the car then stays plugged in `idle_minutes` (parking time).
    """

    evse_id: str
    provider_id: str
    start_time: time
    on: date | None = None
    weekday: int | None = None
    charging_minutes: int
    idle_minutes: int = 0
    energy_kwh: Decimal
    now: datetime

    def start_in(self, zone: ZoneInfo) -> datetime:
        """The session start at the EVSE. A wall-clock time the zone skips (a DST change)
        is refused; one it shows twice is its first occurrence."""
        if self.on is not None:
            day = self.on
        elif self.weekday is not None and 0 <= self.weekday < len(WEEKDAYS):
            today = self.now.astimezone(zone).date()
            day = today + timedelta(days=(self.weekday - today.weekday()) % 7)
        else:
            raise DomainError(
                "simulation.start_missing",
                "Choose the day the session starts: a date, or a weekday (the next one)",
                field="start_day",
            )
        if not FIRST_DAY <= day <= LAST_DAY:
            raise DomainError(
                "session.time_out_of_range",
                f"{day.isoformat()} is outside the days a session can start "
                f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})",
                field="start_day",
            )
        start = datetime.combine(day, self.start_time, tzinfo=zone)
        round_trip = start.astimezone(UTC).astimezone(zone)
        if round_trip.replace(tzinfo=None) != start.replace(tzinfo=None):
            raise DomainError(
                "simulation.local_time_skipped",
                f"{day.isoformat()} {self.start_time.strftime('%H:%M')} does not exist in "
                f"{zone.key}: the clocks skip it (daylight saving time); choose another time",
                field="start_time",
            )
        return start

    def request_in(self, zone: ZoneInfo) -> SessionRequest:
        """The session to price at an EVSE in `zone`.

        Raises `DomainError`: `simulation.start_missing`, `simulation.local_time_skipped`,
        `session.end_before_start` (negative charging time), `session.charging_outside`
        (negative idle time), `session.time_out_of_range` (more than `MAX_MINUTES`).
        """
        for minutes, field in (
            (self.charging_minutes, "charging_minutes"),
            (self.idle_minutes, "idle_minutes"),
        ):
            if minutes > MAX_MINUTES:
                raise DomainError(
                    "session.time_out_of_range",
                    f"{minutes} minutes is more than a simulation takes ({MAX_MINUTES}, two weeks)",
                    field=field,
                )
        if self.charging_minutes < 0:
            raise DomainError(
                "session.end_before_start",
                f"Charging cannot last {self.charging_minutes} minutes: the session would end "
                "before it starts; give 0 or more",
                field="charging_minutes",
            )
        if self.idle_minutes < 0:
            raise DomainError(
                "session.charging_outside",
                f"The car cannot stay {self.idle_minutes} minutes after charging: charging "
                "would end after the session; give 0 or more",
                field="idle_minutes",
            )
        # In UTC: adding minutes to a zoned datetime adds wall-clock time, wrong across DST.
        start = self.start_in(zone).astimezone(UTC)
        charging_end = start + timedelta(minutes=self.charging_minutes)
        return SessionRequest(
            evse_id=self.evse_id,
            provider_id=self.provider_id,
            session=NgpSession(
                session_start=start,
                session_end=charging_end + timedelta(minutes=self.idle_minutes),
                charging_start=start,
                charging_end=charging_end,
                energy_kwh=self.energy_kwh,
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BarSegment:
    """One component of a bar: its amounts, and where it sits as fractions (0…1) of the
    chart's scale. A negative amount (a discount) is listed but drawn with no width."""

    component: str
    amount_excl_vat: Decimal
    amount_incl_vat: Decimal
    offset: Decimal
    width: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    """A slot's (or the whole session's) segments, stacked in `COMPONENTS` order."""

    label: str
    total_excl_vat: Decimal
    total_incl_vat: Decimal
    segments: tuple[BarSegment, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class BarChart:
    """Bars on one scale: `scale` (incl. VAT) is the width of a full bar; `components`
    are the ones that occur, for the legend."""

    bars: tuple[Bar, ...]
    scale: Decimal
    components: tuple[str, ...]


def _order(component: str) -> int:
    return COMPONENTS.index(component) if component in COMPONENTS else len(COMPONENTS)


def _bar(label: str, amounts: dict[str, tuple[Decimal, Decimal]], scale: Decimal) -> Bar:
    segments = []
    offset = ZERO
    for component in sorted(amounts, key=_order):
        excl, incl = amounts[component]
        width = max(incl, ZERO) / scale if scale > 0 else ZERO
        segments.append(
            BarSegment(
                component=component,
                amount_excl_vat=excl,
                amount_incl_vat=incl,
                offset=offset,
                width=width,
            )
        )
        offset += width
    return Bar(
        label=label,
        total_excl_vat=sum((excl for excl, _ in amounts.values()), ZERO),
        total_incl_vat=sum((incl for _, incl in amounts.values()), ZERO),
        segments=tuple(segments),
    )


def bar_chart(chart: Sequence[ChartBar]) -> BarChart:
    """One stacked bar per slot (in the order the slots occur) and one for the whole
    session, all on the scale of the largest (the whole session's, incl. VAT)."""
    per_slot: dict[str, dict[str, tuple[Decimal, Decimal]]] = {}
    whole: dict[str, tuple[Decimal, Decimal]] = {}
    for item in chart:
        per_slot.setdefault(item.slot, {})[item.component] = (
            item.amount_excl_vat,
            item.amount_incl_vat,
        )
        excl, incl = whole.get(item.component, (ZERO, ZERO))
        whole[item.component] = (excl + item.amount_excl_vat, incl + item.amount_incl_vat)
    sizes = [
        sum((max(incl, ZERO) for _, incl in amounts.values()), ZERO)
        for amounts in (whole, *per_slot.values())
    ]
    scale = max(sizes)
    bars = [_bar(slot, amounts, scale) for slot, amounts in per_slot.items()]
    if len(per_slot) > 1:
        bars.append(_bar(WHOLE_SESSION, whole, scale))
    return BarChart(bars=tuple(bars), scale=scale, components=tuple(sorted(whole, key=_order)))
