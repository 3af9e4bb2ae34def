"""The pricing engine: a session under a tariff → an itemised, rounded price.

1. The session is checked (typed errors) and its periods cut where the active element can
   change (`slicing`).
2. For each slice and dimension, the first element with that dimension whose restrictions
   match prices it (OCPI 2.2.1 §11.3.1); a slice with no matching element is a zero line
   that says so.
3. step_size (OCPI 2.2.1 §11.4.2): the quantity of a dimension is rounded up when the
   next slice has no element for that dimension, and at the session end; the extra goes
   to the last slice of that dimension, at that slice's element and rate. TIME, reservation
   time and PARKING_TIME take one step only at the session end: the one billed last
   (pricing-scenarios 1, 4, 5, 6).
4. FLAT is charged once per element that becomes active (scenario 18).
5. Amounts are exact Decimals; min_price and max_price apply to the exact total; totals are
   rounded once, half-up, to the currency's minor unit; lines keep four decimals.

docs/pricing.md explains every choice with its scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

from evsenet.domain.errors import DomainError
from evsenet.domain.money import LINE_QUANTUM, ROUNDING, with_vat
from evsenet.domain.pricing.bounds import apply_bounds
from evsenet.domain.pricing.breakdown import (
    Cost,
    PriceBreakdown,
    PricedDimension,
    PricedLine,
    PricingWarning,
)
from evsenet.domain.pricing.compiled import (
    Candidate,
    CompiledTariff,
    Match,
    SliceFacts,
    compile_tariff,
    restriction_match,
)
from evsenet.domain.pricing.session import ChargingPeriod, Session
from evsenet.domain.pricing.slicing import Slice, slice_periods
from evsenet.domain.pricing.tariff import PriceComponent, Tariff

ZERO = Decimal(0)
ONE = Decimal(1)
_NO_TIME = time(0)
_NO_DATE = date(1970, 1, 1)
_MICROS_PER_HOUR = Decimal(3_600_000_000)
_STEP_PRECISION = Decimal("1e-6")
"""Quantities are compared with a step to a millionth of a Wh or second, so that a total
split into slices (each kept to 1e-15 of its unit) never steps up by a rounding artefact."""
_UNIT_FACTOR = {
    PricedDimension.ENERGY: Decimal(1000),
    PricedDimension.TIME: Decimal(3600),
    PricedDimension.PARKING_TIME: Decimal(3600),
    PricedDimension.RESERVATION_TIME: Decimal(3600),
}
_STEP_UNIT = {
    PricedDimension.ENERGY: "Wh",
    PricedDimension.TIME: "s",
    PricedDimension.PARKING_TIME: "s",
    PricedDimension.RESERVATION_TIME: "s",
}
_TIME_FAMILY = (
    PricedDimension.RESERVATION_TIME,
    PricedDimension.TIME,
    PricedDimension.PARKING_TIME,
)
_STEPPED = (PricedDimension.ENERGY, *_TIME_FAMILY)
_MATCHED = (*_STEPPED, PricedDimension.FLAT)
_NOT_CHARGED = {d: f"no element prices {d.value} here: not charged" for d in PricedDimension}


def _quantity(piece: Slice, dimension: PricedDimension) -> Decimal:
    if dimension is PricedDimension.ENERGY:
        return piece.energy_kwh
    if dimension is PricedDimension.TIME:
        return piece.charging_hours
    if dimension is PricedDimension.PARKING_TIME:
        return piece.parking_hours
    if dimension is PricedDimension.RESERVATION_TIME:
        return piece.reservation_hours
    return ONE


def _micros(start: datetime, end: datetime) -> int:
    delta = end - start
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(slots=True)
class _Pending:
    """Quantity of a dimension not yet rounded to its step, and where it was last billed."""

    quantity: Decimal
    slice_index: int
    candidate: Candidate


class _Pricing:
    """The state of pricing one session (not shared; built by `price_session`)."""

    def __init__(self, compiled: CompiledTariff, session: Session) -> None:
        self.compiled = compiled
        self.tariff = compiled.tariff
        self.session = session
        self.warnings: list[PricingWarning] = []
        self.lines: list[PricedLine] = []
        self.groups: dict[tuple[PricedDimension, int], tuple[Decimal, PriceComponent]] = {}
        self._warned: set[tuple[str, str]] = set()

    def warn(self, code: str, message: str, path: str | None = None) -> None:
        if (code, path or message) not in self._warned:
            self._warned.add((code, path or message))
            self.warnings.append(PricingWarning(code=code, message=message, path=path))

    # -- the session -------------------------------------------------------------------

    def checked_periods(self) -> tuple[ChargingPeriod, ...]:
        session, tariff = self.session, self.tariff
        session.check()
        if (
            session.currency_code is not None
            and session.currency_code.upper() != tariff.currency.code
        ):
            raise DomainError(
                "session.currency_mismatch",
                f"The CDR is in {session.currency_code}, its tariff {tariff.id} in "
                f"{tariff.currency.code}: a price cannot be converted",
                field="currency",
            )
        if self.compiled.uses_local_time and session.time_zone is None:
            raise DomainError(
                "session.time_zone_missing",
                f"Tariff {tariff.id} has time-of-day, date or weekday restrictions, so the "
                "EVSE's IANA time zone is needed (e.g. --tz Europe/Berlin)",
                field="time_zone",
            )
        periods = []
        for index, period in enumerate(session.periods):
            path = f"charging_periods[{index}]"
            if period.start < session.start or period.end > session.end:
                self.warn(
                    "period.outside_session",
                    f"Period {index} ({period.start.isoformat()} … {period.end.isoformat()}) "
                    "lies partly outside the session; it is priced as given",
                    path,
                )
            if period.tariff_id is not None and period.tariff_id != tariff.id:
                self.warn(
                    "period.other_tariff",
                    f"Period {index} names tariff {period.tariff_id}; the whole session is "
                    f"priced with tariff {tariff.id} (one tariff per session, chosen at its "
                    "start)",
                    path,
                )
            timed = period.charging_hours + period.parking_hours + period.reservation_hours
            micros = _micros(period.start, period.end)
            if timed == 0 and micros > 0:
                hours = Decimal(micros) / _MICROS_PER_HOUR
                kind = "charging (TIME)" if period.energy_kwh > 0 else "parking (PARKING_TIME)"
                self.warn(
                    "period.time_inferred",
                    f"Period {index} reports no TIME, PARKING_TIME or RESERVATION_TIME; its "
                    f"duration ({hours:.4f} h) is taken as {kind}",
                    path,
                )
                if period.energy_kwh > 0:
                    period = replace(period, charging_hours=hours)
                else:
                    period = replace(period, parking_hours=hours)
            periods.append(period)
        return tuple(periods)

    def reservation_expired(self, periods: tuple[ChargingPeriod, ...]) -> bool:
        reserved = any(period.is_reservation for period in periods)
        if self.compiled.has_reservation_elements and not reserved:
            self.warn(
                "reservation.no_data",
                f"Tariff {self.tariff.id} prices reservations, but the CDR reports no "
                "RESERVATION_TIME, so no reservation was priced",
            )
        if not reserved:
            return False
        if self.session.reservation_expired is not None:
            return self.session.reservation_expired
        expired = not any(period.is_charging for period in periods)
        if self.compiled.has_expiry_elements:
            self.warn(
                "reservation.expiry_inferred",
                "The CDR does not say whether the reservation expired; taken as "
                + ("expired (no charging followed)" if expired else "used (charging followed)"),
            )
        return expired

    # -- matching ----------------------------------------------------------------------

    def facts(
        self,
        piece: Slice,
        charging_end: datetime | None,
        expired: bool,
    ) -> SliceFacts:
        zone = self.session.time_zone
        if self.compiled.uses_local_time and zone is not None:
            local = piece.start.astimezone(zone)
            local_time, local_date, weekday = local.time(), local.date(), local.weekday()
        else:
            local_time, local_date, weekday = _NO_TIME, _NO_DATE, 0
        since_end = (
            _micros(charging_end, piece.start)
            if charging_end is not None and piece.start >= charging_end
            else None
        )
        return SliceFacts(
            local_time=local_time,
            local_date=local_date,
            weekday=weekday,
            energy_before=piece.energy_before,
            micros_since_start=_micros(self.session.start, piece.start),
            micros_since_charging_end=since_end,
            current=piece.period.current_value(),
            power=piece.period.power_value(),
            reservation=piece.period.is_reservation,
            reservation_expired=expired,
        )

    def match(
        self, piece: Slice, charging_end: datetime | None, expired: bool
    ) -> dict[PricedDimension, Candidate | None]:
        """The element that prices each dimension in `piece` (None: none does)."""
        reservation = piece.period.is_reservation
        static = self.compiled.unrestricted_match
        if static is not None and not reservation:
            return static
        facts: SliceFacts | None = None
        answers: dict[int, Match] = {}
        matched: dict[PricedDimension, Candidate | None] = {}
        for dimension in _MATCHED:
            found: Candidate | None = None
            for candidate in self.compiled.candidates[dimension]:
                if not candidate.restricted:
                    if reservation:
                        continue
                    found = candidate
                    break
                answer = answers.get(candidate.index)
                if answer is None:
                    if facts is None:
                        facts = self.facts(piece, charging_end, expired)
                    answer = restriction_match(candidate.restrictions, facts)
                    answers[candidate.index] = answer
                if answer is Match.YES:
                    found = candidate
                    break
                if answer is Match.NO_DATA and _quantity(piece, dimension) > 0:
                    self.warn(
                        "restriction.data_missing",
                        f"Element {candidate.index} restricts current or power, and the CDR "
                        f"reports neither for period {piece.period_index}: the element is "
                        "not applied there",
                        f"charging_periods[{piece.period_index}]/elements[{candidate.index}]",
                    )
            matched[dimension] = found
        return matched

    # -- lines -------------------------------------------------------------------------

    def line(
        self,
        piece: Slice,
        dimension: PricedDimension,
        quantity: Decimal,
        candidate: Candidate | None,
        reason: str,
        *,
        step_rounding: bool = False,
    ) -> None:
        if candidate is None:
            price, vat, element = ZERO, None, None
        else:
            price, vat, element = (
                candidate.component.price,
                candidate.component.vat,
                candidate.index,
            )
            key = (dimension, candidate.index)
            done = self.groups.get(key)
            self.groups[key] = (
                quantity if done is None else done[0] + quantity,
                candidate.component,
            )
        excl = quantity * price
        incl = excl if vat is None else with_vat(excl, vat)
        self.lines.append(
            PricedLine(
                start=piece.start,
                end=piece.end,
                dimension=dimension,
                quantity=quantity,
                unit_price=price,
                vat=vat,
                amount_excl_vat=_line(excl),
                amount_incl_vat=_line(incl),
                element=element,
                reason=reason,
                step_rounding=step_rounding,
            )
        )

    def why(self, dimension: PricedDimension, candidate: Candidate) -> str:
        return candidate.reason

    def round_step(
        self, slices: list[Slice], dimension: PricedDimension, pending: _Pending
    ) -> None:
        step = pending.candidate.component.step_size
        factor = _UNIT_FACTOR[dimension]
        units = (pending.quantity * factor).quantize(_STEP_PRECISION, rounding=ROUND_HALF_EVEN)
        billed = (units / step).to_integral_value(rounding=ROUND_CEILING) * step
        extra = billed - units
        if extra > 0:
            unit = _STEP_UNIT[dimension]
            self.line(
                slices[pending.slice_index],
                dimension,
                extra / factor,
                pending.candidate,
                f"step_size {step} {unit} of element {pending.candidate.index}: "
                f"{units.normalize():f} {unit} billed as {billed.normalize():f} {unit}",
                step_rounding=True,
            )


def _line(amount: Decimal) -> Decimal:
    return amount.quantize(LINE_QUANTUM, rounding=ROUNDING)


def _charging_end(periods: tuple[ChargingPeriod, ...], session: Session) -> datetime:
    """The end of the last period with charging; the session start when nothing charged."""
    ends = [period.end for period in periods if period.is_charging]
    return ends[-1] if ends else session.start


def price_session(tariff: Tariff | CompiledTariff, session: Session) -> PriceBreakdown:
    """Price `session` under `tariff`: itemised lines, warnings and rounded CDR totals.

    Raises `DomainError` (`session.*`) for input that cannot be priced honestly.
    """
    compiled = tariff if isinstance(tariff, CompiledTariff) else compile_tariff(tariff)
    session = session.in_real_time()
    state = _Pricing(compiled, session)
    periods = state.checked_periods()
    expired = state.reservation_expired(periods)
    charging_end = _charging_end(periods, session)
    slices = slice_periods(
        compiled,
        periods,
        zone=session.time_zone,
        session_start=session.start,
        charging_end=charging_end if compiled.uses_charging_end else None,
    )
    matched = [state.match(piece, charging_end, expired) for piece in slices]
    flat_charged: set[int] = set()
    pending: dict[PricedDimension, _Pending] = {}
    last = len(slices) - 1
    for index, piece in enumerate(slices):
        found = matched[index]
        flat = found[PricedDimension.FLAT]
        if flat is not None and flat.index not in flat_charged:
            flat_charged.add(flat.index)
            state.line(
                piece,
                PricedDimension.FLAT,
                ONE,
                flat,
                state.why(PricedDimension.FLAT, flat) + "; FLAT is charged once per element",
            )
        for dimension in _STEPPED:
            quantity = _quantity(piece, dimension)
            if quantity <= 0:
                continue
            candidate = found[dimension]
            if candidate is None:
                state.line(
                    piece,
                    dimension,
                    quantity,
                    None,
                    _NOT_CHARGED[dimension],
                )
                continue
            state.line(piece, dimension, quantity, candidate, state.why(dimension, candidate))
            open_ = pending.get(dimension)
            if open_ is None:
                pending[dimension] = _Pending(quantity, index, candidate)
            else:
                open_.quantity += quantity
                open_.slice_index = index
                open_.candidate = candidate
        if index < last:
            following = matched[index + 1]
            for dimension in [d for d in pending if following[d] is None]:
                state.round_step(slices, dimension, pending.pop(dimension))
    if PricedDimension.ENERGY in pending:
        state.round_step(slices, PricedDimension.ENERGY, pending.pop(PricedDimension.ENERGY))
    if pending:
        dimension = max(pending, key=lambda d: (pending[d].slice_index, _TIME_FAMILY.index(d)))
        state.round_step(slices, dimension, pending[dimension])
    return _totals(state, periods)


def _totals(state: _Pricing, periods: tuple[ChargingPeriod, ...]) -> PriceBreakdown:
    tariff, currency = state.tariff, state.tariff.currency
    exact: dict[PricedDimension, tuple[Decimal, Decimal]] = dict.fromkeys(
        PricedDimension, (ZERO, ZERO)
    )
    total_excl = total_incl = ZERO
    for (dimension, _element), (quantity, component) in state.groups.items():
        excl = quantity * component.price
        incl = excl if component.vat is None else with_vat(excl, component.vat)
        before = exact[dimension]
        exact[dimension] = (before[0] + excl, before[1] + incl)
        total_excl += excl
        total_incl += incl
    total = Cost(excl_vat=total_excl, incl_vat=total_incl)
    adjustment = None
    if tariff.min_price is not None or tariff.max_price is not None:
        total, adjustment, notes = apply_bounds(total, tariff.min_price, tariff.max_price)
        for code, message in notes:
            state.warn(code, message)
    quantum = currency.quantum

    def cost(excl: Decimal, incl: Decimal) -> Cost:
        return Cost(
            excl_vat=excl.quantize(quantum, rounding=ROUNDING),
            incl_vat=incl.quantize(quantum, rounding=ROUNDING),
        )

    energy = charging = parking = reservation = ZERO
    for p in periods:
        energy += p.energy_kwh
        charging += p.charging_hours
        parking += p.parking_hours
        reservation += p.reservation_hours
    return PriceBreakdown(
        tariff_id=tariff.id,
        currency=currency,
        total_cost=cost(total.excl_vat, total.incl_vat),
        total_energy_cost=cost(*exact[PricedDimension.ENERGY]),
        total_time_cost=cost(*exact[PricedDimension.TIME]),
        total_parking_cost=cost(*exact[PricedDimension.PARKING_TIME]),
        total_fixed_cost=cost(*exact[PricedDimension.FLAT]),
        total_reservation_cost=cost(*exact[PricedDimension.RESERVATION_TIME]),
        total_energy=energy,
        total_time=charging + parking,
        total_parking_time=parking,
        total_reservation_time=reservation,
        lines=tuple(state.lines),
        warnings=tuple(state.warnings),
        adjustment=adjustment,
    )
