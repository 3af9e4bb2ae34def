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
batch (a published version never changes). Providers (issue 10) restrict which offers a
provider may be priced under by passing their own `offers_open_to`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from itertools import islice

from evsenet.domain.errors import Conflict, DomainError, NotFound
from evsenet.domain.ids import EvseId, OperatorId, ProviderId
from evsenet.domain.offer import Offer
from evsenet.domain.pricing import CompiledTariff, Cost, compile_tariff
from evsenet.domain.pricing.breakdown import PricedDimension
from evsenet.domain.pricing.engine import price_session
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


OffersOpenTo = Callable[[UnitOfWork, int, ProviderId, list[StoredOffer]], list[StoredOffer]]


def every_offer_open(
    uow: UnitOfWork, operator_pk: int, provider: ProviderId, offers: list[StoredOffer]
) -> list[StoredOffer]:
    """The offers `provider` may be priced under: all of them, until subscriptions
    (issue 10) restrict a provider to the offers it subscribed to."""
    return offers


@dataclass
class PricingCache:
    """Compiled tariffs per (offer version, group) and published offers per network,
    kept for one batch (published versions never change)."""

    compiled: dict[tuple[int, int], tuple[CompiledGroup, CompiledTariff] | None] = field(
        default_factory=dict
    )
    offers: dict[int, list[StoredOffer]] = field(default_factory=dict)


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


def _compiled(
    cache: PricingCache, offer_pk: int, offer: Offer, group_pk: int
) -> tuple[CompiledGroup, CompiledTariff] | None:
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
) -> SessionPrice:
    assert place.group_pk is not None
    compiled = _compiled(cache, offer_pk, offer, place.group_pk)
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


def _place(
    reads: PricingReads, operator_pk: int, evse: EvseId, places: dict[str, EvsePlace]
) -> EvsePlace:
    place = places.get(evse.normalised)
    if place is None:
        raise NotFound(
            "evse.not_found",
            f"EVSE {evse.sent} is not in this operator's inventory",
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


def _price_one(
    uow: UnitOfWork,
    operator_pk: int,
    request: SessionRequest,
    places: dict[str, EvsePlace],
    cache: PricingCache,
    offers_open_to: OffersOpenTo,
) -> SessionPrice:
    reads = PricingReads(uow.connection)
    evse = EvseId.parse(request.evse_id)
    provider = ProviderId.parse(request.provider_id)
    place = _place(reads, operator_pk, evse, places)
    if place.network_pk is None or place.group_pk is None:
        # Still check the session, so that bad input is never hidden behind a zero.
        _, warnings = engine_session(request.session, zone_info(place.time_zone))
        return replace(_zero(request, place.evse_id, NO_GROUP), warnings=warnings)
    if place.network_pk not in cache.offers:
        cache.offers[place.network_pk] = reads.published_offers(operator_pk, place.network_pk)
    open_offers = offers_open_to(uow, operator_pk, provider, cache.offers[place.network_pk])
    candidates = [OfferCandidate(s, s.offer, s.effective_from, s.effective_to) for s in open_offers]
    at = request.session.session_start
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
    source = iter(requests)
    index = first_index
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, operator_id).pk
    while chunk := list(islice(source, BATCH_CHUNK)):
        answers: list[SessionPrice | PricingRefusal] = []
        with unit_of_work(store) as uow:
            places = PricingReads(uow.connection).evse_places(operator_pk, _keys(chunk))
            for request in chunk:
                try:
                    answers.append(
                        _price_one(uow, operator_pk, request, places, cache, offers_open_to)
                    )
                except DomainError as error:
                    answers.append(PricingRefusal(index, request.id, error))
                index += 1
        yield from answers


def _keys(chunk: Sequence[SessionRequest]) -> list[str]:
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
        place = _place(reads, operator_pk, evse, reads.evse_places(operator_pk, [evse.normalised]))
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
        price = _price_under(
            request, place, stored.pk, stored.offer, stored.version, PricingCache()
        )
    return Simulation(
        price=price, chart=chart_of(price), session=request.session, time_zone=place.time_zone
    )


@dataclass(frozen=True, slots=True)
class GroupTariff:
    """A published offer's group and its prices as one engine tariff (for exports)."""

    group_id: int
    group: CompiledGroup
    effective_from: datetime
    effective_to: datetime | None
    published_at: datetime | None


def published_group_tariffs(
    store: Store, operator: OperatorId | str, offer_id: int
) -> list[GroupTariff]:
    """Every group of the operator's published offer `offer_id` compiled to the engine
    tariff that prices it. Raises `NotFound` `offer.not_found` (another operator's offer
    too) and `Conflict` `pricing.offer_not_published` for a draft."""
    operator_id = operator if isinstance(operator, OperatorId) else OperatorId.parse(operator)
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, operator_id).pk
        stored = uow.offers.get(offer_id, operator_pk) if 1 <= offer_id < 2**63 else None
    if stored is None:
        raise NotFound("offer.not_found", f"This operator has no offer {offer_id}")
    if not stored.published:
        raise Conflict(
            "pricing.offer_not_published",
            f"Offer {offer_id} is a draft; only a published offer's prices are exported",
        )
    result = []
    cache = PricingCache()
    for prices in stored.offer.groups:
        compiled = _compiled(cache, stored.pk, stored.offer, int(prices.group_id))
        if compiled is not None:
            result.append(
                GroupTariff(
                    int(prices.group_id),
                    compiled[0],
                    stored.effective_from,
                    stored.effective_to,
                    stored.published_at,
                )
            )
    return result


@dataclass(frozen=True, slots=True)
class PublishedOffer:
    """A published offer with what its exports need: the operator's name and, per group
    id, the EVSE IDs (as sent) assigned to the group."""

    offer: Offer
    operator_name: str
    members: dict[str, list[str]]


def published_offer_members(
    store: Store, operator: OperatorId | str, offer_id: int
) -> PublishedOffer:
    """The operator's published offer `offer_id` and its groups' EVSEs (one transaction).

    Raises `NotFound` `offer.not_found` and `Conflict` `pricing.offer_not_published`.
    """
    operator_id = operator if isinstance(operator, OperatorId) else OperatorId.parse(operator)
    with unit_of_work(store) as uow:
        row = require_operator(uow, operator_id)
        stored = uow.offers.get(offer_id, row.pk) if 1 <= offer_id < 2**63 else None
        if stored is None:
            raise NotFound("offer.not_found", f"This operator has no offer {offer_id}")
        if not stored.published:
            raise Conflict(
                "pricing.offer_not_published",
                f"Offer {offer_id} is a draft; only a published offer's prices are exported",
            )
        members = {
            g.group_id: uow.networks.group_members(stored.network_pk, int(g.group_id))
            for g in stored.offer.groups
        }
    return PublishedOffer(stored.offer, row.name, members)
