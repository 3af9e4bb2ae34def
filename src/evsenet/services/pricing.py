"""Price charging sessions under the operator's published offers (and simulate on drafts).

A session is priced as DESIGN.md "Pricing a session" says: the EVSE → its group → the
offer (and version) in force for the provider at the session start, a bilateral offer
naming the provider before the offer-to-all (`evsenet.domain.pricing.ngp_offer`) → the
group's schedule and tariffs compiled to one engine tariff (`domain/pricing/ngp.py`) →
the engine. An EVSE in no group, or in a group the offer gives no prices, is priced at
zero with that reason; an unknown, foreign or withdrawn EVSE and a session before any
offer are refused with their codes.

`price_sessions` prices many sessions in chunks, each chunk one read transaction with one
query for its EVSEs; compiled tariffs are cached per (offer version, group) for the whole
batch (a published version never changes). A batch that wants totals only
(`PricingCache(totals_only=True)`) prices each chunk's sessions grouped by their compiled
tariff with the C kernel (`domain/pricing/kernel.py`), which answers the reference engine's
totals exactly and leaves the sessions it does not handle to it; such a `SessionPrice` has
no lines. A provider's token is restricted to the offers it
has a subscription in force to by passing its own `offers_open_to`
(`services/provider_pricing.py`); exports of published prices are in
`services/price_exports.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from itertools import islice

from evsenet.domain.errors import DomainError, NotFound
from evsenet.domain.ids import EvseId, OperatorId, ProviderId
from evsenet.domain.offer import Offer
from evsenet.domain.pricing import CompiledTariff, Cost, compile_tariff
from evsenet.domain.pricing.breakdown import PricedDimension
from evsenet.domain.pricing.engine import price_session
from evsenet.domain.pricing.kernel import KernelTariff, SessionTotals, prepare, totals_each
from evsenet.domain.pricing.ngp import CompiledGroup, compile_group
from evsenet.domain.pricing.ngp_offer import OfferCandidate, offer_for_session
from evsenet.domain.pricing.ngp_session import engine_session
from evsenet.domain.pricing.priced_session import (
    PriceLine,
    SessionPrice,
    SessionRequest,
    Simulation,
    chart_of,
)
from evsenet.domain.pricing.session import Session
from evsenet.domain.pricing.simulation import SessionPlan
from evsenet.domain.schedule_lookup import zone_info
from evsenet.services.operators import require_operator
from evsenet.store.engine import Store
from evsenet.store.repositories.offers import StoredOffer
from evsenet.store.repositories.pricing import EvsePlace, PricingReads
from evsenet.store.uow import UnitOfWork, unit_of_work

BATCH_CHUNK = 500
"""Sessions priced per read transaction in a batch."""
ZERO = Decimal(0)
NO_GROUP = "The EVSE is in no EVSE group, so no offer prices it: priced at zero"
COMPONENT_NAMES = {
    PricedDimension.ENERGY: "CHARGING_ENERGY",
    PricedDimension.FLAT: "SESSION",
    PricedDimension.TIME: "CHARGING_TIME",
    PricedDimension.PARKING_TIME: "PARKING",
    PricedDimension.RESERVATION_TIME: "RESERVATION",
}
"""The NGP name of each engine dimension (a blocking fee is inside TIME or PARKING)."""


@dataclass(frozen=True, slots=True)
class PricingRefusal:
    """A session of a batch that could not be priced: its position and the error."""

    index: int
    id: str | None
    error: DomainError


OffersOpenTo = Callable[
    [UnitOfWork, int, ProviderId, datetime, list[StoredOffer]], list[StoredOffer]
]
"""(unit of work, operator pk, provider, session start, the operator's published offers on
the EVSE's network) → the offers the provider may be priced under at the session start."""


def every_offer_open(
    uow: UnitOfWork,
    operator_pk: int,
    provider: ProviderId,
    at: datetime,
    offers: list[StoredOffer],
) -> list[StoredOffer]:
    """The offers an operator's own token prices under: all of them (a provider's token
    is restricted to its subscriptions, `subscriptions.subscribed_offers_only`)."""
    return offers


@dataclass
class PricingCache:
    """Compiled tariffs per (offer version, group) and published offers per network,
    kept for one batch (published versions never change); `totals_only`: the batch
    answers totals without lines, priced by the kernel (`kernel` holds its tariffs)."""

    compiled: dict[tuple[int, int], tuple[CompiledGroup, CompiledTariff] | None] = field(
        default_factory=dict
    )
    offers: dict[int, list[StoredOffer]] = field(default_factory=dict)
    totals_only: bool = False
    kernel: dict[tuple[int, int], KernelTariff] = field(default_factory=dict)

    def prepared(self, key: tuple[int, int], compiled: CompiledTariff) -> KernelTariff:
        """The kernel's form of the compiled tariff of `key` (prepared once per batch)."""
        found = self.kernel.get(key)
        if found is None:
            found = self.kernel[key] = prepare(compiled)
        return found


@dataclass(frozen=True, slots=True)
class PendingTotals:
    """A session of a totals-only chunk, placed and checked, waiting to be priced with
    the others of its tariff (`price`: its answer without the totals)."""

    tariff: KernelTariff
    session: Session
    price: SessionPrice


def _zero(request: SessionRequest, evse_id: str, reason: str, **extra: object) -> SessionPrice:
    nothing = Cost(excl_vat=ZERO, incl_vat=ZERO)
    return SessionPrice(
        id=request.id,
        evse_id=evse_id,
        provider_id=request.provider_id,
        currency=None,
        total=nothing,
        components={},
        lines=(),
        warnings=(),
        zero_reason=reason,
        **extra,  # type: ignore[arg-type]
    )


def compiled_group(
    cache: PricingCache, offer_pk: int, offer: Offer, group_pk: int
) -> tuple[CompiledGroup, CompiledTariff] | None:
    """The offer version's prices for the group as one engine tariff (cached), or None
    when the offer gives the group no prices."""
    key = (offer_pk, group_pk)
    if key not in cache.compiled:
        prices = next((g for g in offer.groups if g.group_id == str(group_pk)), None)
        if prices is None or not prices.slots:
            cache.compiled[key] = None
        else:
            group = compile_group(
                prices.slots,
                offer.tariffs_by_key,
                offer.terms.vat_percent,
                tariff_id=f"offer-{offer_pk}-group-{group_pk}",
            )
            cache.compiled[key] = (group, compile_tariff(group.tariff))
    return cache.compiled[key]


def _price_under(
    request: SessionRequest,
    place: EvsePlace,
    offer_pk: int,
    offer: Offer,
    version: int,
    cache: PricingCache,
) -> SessionPrice | PendingTotals:
    assert place.group_pk is not None
    compiled = compiled_group(cache, offer_pk, offer, place.group_pk)
    where = {
        "offer_id": offer_pk,
        "offer_version": version,
        "group_id": place.group_pk,
        "group_name": place.group_name,
    }
    if compiled is None:
        return _zero(
            request,
            place.evse_id,
            f"Offer {offer_pk} gives no prices for group {place.group_name!r}: priced at zero",
            **where,
        )
    group, engine_tariff = compiled
    session, warnings = engine_session(request.session, zone_info(place.time_zone), id=request.id)
    if cache.totals_only:
        return PendingTotals(
            cache.prepared((offer_pk, place.group_pk), engine_tariff),
            session,
            replace(_zero(request, place.evse_id, "", **where), warnings=warnings),
        )
    breakdown = price_session(engine_tariff, session)
    lines = tuple(
        PriceLine(
            component=COMPONENT_NAMES[line.dimension],
            start=line.start,
            end=line.end,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            vat_percent=line.vat,
            amount_excl_vat=line.amount_excl_vat,
            amount_incl_vat=line.amount_incl_vat,
            tariff=source.tariff if (source := group.source(line.element)) else None,
            slot=source.slot if source else None,
            reason=line.reason,
            step_rounding=line.step_rounding,
        )
        for line in breakdown.lines
    )
    return SessionPrice(
        id=request.id,
        evse_id=place.evse_id,
        provider_id=request.provider_id,
        currency=breakdown.currency.code,
        total=breakdown.total_cost,
        components={
            "CHARGING_ENERGY": breakdown.total_energy_cost,
            "CHARGING_TIME": breakdown.total_time_cost,
            "PARKING": breakdown.total_parking_cost,
            "SESSION": breakdown.total_fixed_cost,
        },
        lines=lines,
        warnings=warnings + breakdown.warnings,
        **where,  # type: ignore[arg-type]
    )


def _price_one(
    uow: UnitOfWork,
    operator_pk: int,
    request: SessionRequest,
    places: dict[str, EvsePlace],
    cache: PricingCache,
    offers_open_to: OffersOpenTo,
) -> SessionPrice | PendingTotals:
    evse = EvseId.parse(request.evse_id)
    ProviderId.parse(request.provider_id)
    place = check_place(evse, places.get(evse.normalised))
    return price_at_place(uow, operator_pk, place, request, cache, offers_open_to)


def price_at_place(
    uow: UnitOfWork,
    operator_pk: int,
    place: EvsePlace,
    request: SessionRequest,
    cache: PricingCache,
    offers_open_to: OffersOpenTo,
) -> SessionPrice | PendingTotals:
    """Price `request` at the operator's EVSE `place` (found and not withdrawn) under the
    offer in force for its provider at the session start among those `offers_open_to`
    lets it be priced under; raises `pricing.no_offer_in_force` when there is none."""
    provider = ProviderId.parse(request.provider_id)
    if place.network_pk is None or place.group_pk is None:
        # Still check the session, so that bad input is never hidden behind a zero.
        _, warnings = engine_session(request.session, zone_info(place.time_zone))
        return replace(_zero(request, place.evse_id, NO_GROUP), warnings=warnings)
    if place.network_pk not in cache.offers:
        reads = PricingReads(uow.connection)
        cache.offers[place.network_pk] = reads.published_offers(operator_pk, place.network_pk)
    at = request.session.session_start
    open_offers = offers_open_to(uow, operator_pk, provider, at, cache.offers[place.network_pk])
    candidates = [OfferCandidate(s, s.offer, s.effective_from, s.effective_to) for s in open_offers]
    chosen = offer_for_session(candidates, provider, at)
    if chosen is None:
        raise DomainError(
            "pricing.no_offer_in_force",
            f"No published offer on the EVSE's network is in force for provider "
            f"{provider.display} at {at.isoformat()}",
            field="session_start",
        )
    stored = chosen.key
    return _price_under(request, place, stored.pk, stored.offer, stored.version, cache)


def check_place(
    evse: EvseId, place: EvsePlace | None, *, unknown: str = "is not in this operator's inventory"
) -> EvsePlace:
    """`place` when the EVSE is known and not withdrawn; else `evse.not_found` (the
    answer for another operator's EVSE too) or `pricing.evse_withdrawn`."""
    if place is None:
        raise NotFound(
            "evse.not_found",
            f"EVSE {evse.sent} {unknown}",
            field="evse_id",
        )
    if place.withdrawn_at is not None:
        raise DomainError(
            "pricing.evse_withdrawn",
            f"EVSE {evse.sent} was withdrawn on {place.withdrawn_at.isoformat()}; a withdrawn "
            "EVSE prices nothing",
            field="evse_id",
        )
    return place


def price_session_at_evse(
    store: Store,
    operator: OperatorId | str,
    request: SessionRequest,
    *,
    offers_open_to: OffersOpenTo = every_offer_open,
) -> SessionPrice:
    """Price one session of the operator's EVSE; raises the session's `DomainError`."""
    result = next(price_sessions(store, operator, [request], offers_open_to=offers_open_to))
    if isinstance(result, PricingRefusal):
        raise result.error
    return result


def price_sessions(
    store: Store,
    operator: OperatorId | str,
    requests: Iterable[SessionRequest],
    *,
    offers_open_to: OffersOpenTo = every_offer_open,
    cache: PricingCache | None = None,
    first_index: int = 0,
) -> Iterator[SessionPrice | PricingRefusal]:
    """Price many sessions lazily, in order: a `SessionPrice` or a `PricingRefusal` each.

    Memory stays bounded by `BATCH_CHUNK` sessions and the compiled tariffs. Raises
    `NotFound` `operator.unknown` before the first answer when the operator is unknown.
    """
    operator_id = operator if isinstance(operator, OperatorId) else OperatorId.parse(operator)
    cache = cache if cache is not None else PricingCache()
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, operator_id).pk

    def pricer(uow: UnitOfWork, chunk: list[SessionRequest]) -> Pricer:
        places = PricingReads(uow.connection).evse_places(operator_pk, evse_keys(chunk))
        return lambda request: _price_one(uow, operator_pk, request, places, cache, offers_open_to)

    yield from priced_in_chunks(store, requests, pricer, first_index=first_index)


Pricer = Callable[[SessionRequest], SessionPrice | PendingTotals]
"""Prices one session of a chunk (raising its `DomainError`), or places it to be priced
with the chunk's others of its tariff (totals only)."""


def priced_in_chunks(
    store: Store,
    requests: Iterable[SessionRequest],
    pricer: Callable[[UnitOfWork, list[SessionRequest]], Pricer],
    *,
    first_index: int = 0,
) -> Iterator[SessionPrice | PricingRefusal]:
    """Each request priced or refused, in order: `BATCH_CHUNK` sessions per read
    transaction, `pricer` reading what a chunk needs once before pricing its sessions."""
    source = iter(requests)
    index = first_index
    while chunk := list(islice(source, BATCH_CHUNK)):
        answers: list[SessionPrice | PendingTotals | PricingRefusal] = []
        with unit_of_work(store) as uow:
            price = pricer(uow, chunk)
            for request in chunk:
                try:
                    answers.append(price(request))
                except DomainError as error:
                    answers.append(PricingRefusal(index, request.id, error))
                index += 1
        yield from _with_totals(answers, index - len(chunk))


def _with_totals(
    answers: list[SessionPrice | PendingTotals | PricingRefusal], first_index: int
) -> list[SessionPrice | PricingRefusal]:
    """`answers` with each pending session priced, one kernel call per tariff; a session
    the reference engine refuses is refused at its index."""
    by_tariff: dict[int, list[tuple[int, PendingTotals]]] = {}
    for position, answer in enumerate(answers):
        if isinstance(answer, PendingTotals):
            by_tariff.setdefault(id(answer.tariff), []).append((position, answer))
    done: dict[int, SessionPrice | PricingRefusal] = {}
    for group in by_tariff.values():
        sessions = [waiting.session for _, waiting in group]
        for (position, waiting), totals in zip(
            group, totals_each(group[0][1].tariff, sessions), strict=True
        ):
            done[position] = (
                PricingRefusal(first_index + position, waiting.price.id, totals)
                if isinstance(totals, DomainError)
                else _priced(waiting, totals)
            )
    return [
        done[position] if isinstance(answer, PendingTotals) else answer
        for position, answer in enumerate(answers)
    ]


def _priced(waiting: PendingTotals, totals: SessionTotals) -> SessionPrice:
    """The waiting session's answer with its totals."""
    price = waiting.price
    return replace(
        price,
        currency=waiting.tariff.compiled.tariff.currency.code,
        total=totals.total_cost,
        components={
            "CHARGING_ENERGY": totals.total_energy_cost,
            "CHARGING_TIME": totals.total_time_cost,
            "PARKING": totals.total_parking_cost,
            "SESSION": totals.total_fixed_cost,
        },
        warnings=price.warnings + totals.warnings,
        zero_reason=None,
    )


def evse_keys(chunk: Sequence[SessionRequest]) -> list[str]:
    """The normalised EVSE IDs of `chunk` (a malformed one is refused later, alone)."""
    keys = []
    for request in chunk:
        try:
            keys.append(EvseId.parse(request.evse_id).normalised)
        except DomainError:
            continue
    return keys


def simulate(
    store: Store,
    operator: OperatorId | str,
    offer_id: int,
    request: SessionRequest | SessionPlan,
) -> Simulation:
    """Price `request` under the operator's offer `offer_id` — a draft or any published
    version, whatever is in force — at the EVSE's current group. A `SessionPlan` (local
    wall-clock times, as the web UI's simulator takes them) is read in the EVSE's zone.

    Raises `NotFound` (`offer.not_found`, `evse.not_found`) and the session's errors.
    """
    operator_id = operator if isinstance(operator, OperatorId) else OperatorId.parse(operator)
    evse = EvseId.parse(request.evse_id)
    ProviderId.parse(request.provider_id)
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, operator_id).pk
        stored = uow.offers.get(offer_id, operator_pk) if 1 <= offer_id < 2**63 else None
        if stored is None:
            raise NotFound("offer.not_found", f"This operator has no offer {offer_id}")
        reads = PricingReads(uow.connection)
        places = reads.evse_places(operator_pk, [evse.normalised])
        place = check_place(evse, places.get(evse.normalised))
    if isinstance(request, SessionPlan):
        request = request.request_in(zone_info(place.time_zone))
    if place.group_pk is None or place.network_pk != stored.network_pk:
        engine_session(request.session, zone_info(place.time_zone))
        price = _zero(
            request,
            place.evse_id,
            NO_GROUP
            if place.group_pk is None
            else "The EVSE is in no group of the offer's network: priced at zero",
        )
    else:
        itemised = _price_under(
            request, place, stored.pk, stored.offer, stored.version, PricingCache()
        )
        assert isinstance(itemised, SessionPrice)
        price = itemised
    return Simulation(
        price=price, chart=chart_of(price), session=request.session, time_zone=place.time_zone
    )
