"""Price sessions for a provider's token (issue 10, item 5).

A provider prices sessions at the EVSEs of every operator it has subscribed to (a
subscription that reached `subscribed`, even if cancelled since); the EVSE's operator is
found from the EVSE, never from the request. An EVSE of any other operator is answered
exactly like an unknown EVSE. The session is priced under the offers whose chain the
provider has a subscription to in force at the session start (subscribed by then, not
rejected, cancellation not yet effective), the version in force then, a bilateral offer
naming it before the offer-to-all (`pricing.price_at_place`): one pricing path for both
kinds of token.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime

from evsenet.domain.errors import Conflict, DomainError
from evsenet.domain.ids import EvseId, OperatorId, ProviderId
from evsenet.domain.pricing.priced_session import SessionPrice, SessionRequest
from evsenet.services.pricing import (
    OffersOpenTo,
    PendingTotals,
    Pricer,
    PricingCache,
    PricingRefusal,
    check_place,
    evse_keys,
    price_at_place,
    price_sessions,
    priced_in_chunks,
)
from evsenet.services.providers import require_provider
from evsenet.services.subscriptions import subscribed_among, subscribed_among_operator
from evsenet.store.engine import Store
from evsenet.store.repositories.offers import StoredOffer
from evsenet.store.repositories.pricing import EvsePlace, PricingReads
from evsenet.store.repositories.providers import SubscriptionRow
from evsenet.store.uow import UnitOfWork, unit_of_work

UNKNOWN_EVSE = "is not at any operator this provider is subscribed to"


def _no_subscription(provider: ProviderId, at: datetime, where: str) -> DomainError:
    return DomainError(
        "pricing.no_subscription_in_force",
        f"Provider {provider.display} has no subscription in force at {at.isoformat()} to "
        f"an offer {where}; subscribe to one of the operator's offers "
        "(GET /api/v1/provider/offers), or price only sessions inside a subscription",
        field="session_start",
    )


def _subscribed_only(subscriptions: list[SubscriptionRow]) -> OffersOpenTo:
    """The `offers_open_to` seam of one provider: the offers of chains it has a
    subscription to in force at the session start, or `pricing.no_subscription_in_force`."""

    def open_offers(
        uow: UnitOfWork,
        operator_pk: int,
        provider: ProviderId,
        at: datetime,
        offers: list[StoredOffer],
    ) -> list[StoredOffer]:
        found = subscribed_among(subscriptions, operator_pk, at, offers)
        if not found:
            raise _no_subscription(provider, at, "on this EVSE's network")
        return found

    return open_offers


def _operator_place(
    evse: EvseId, found: list[tuple[int, EvsePlace]], subscriptions: list[SubscriptionRow]
) -> tuple[int, EvsePlace]:
    if len(found) > 1:
        names = {s.operator_pk: s.operator_id.display for s in subscriptions}
        operators = ", ".join(sorted(names[pk] for pk, _ in found))
        raise Conflict(
            "pricing.evse_ambiguous",
            f"EVSE {evse.sent} is in the inventory of several operators you are subscribed "
            f"to ({operators}); ask the operators to resolve the duplicate EVSE ID",
            field="evse_id",
        )
    operator_pk, place = found[0] if found else (0, None)
    return operator_pk, check_place(evse, place, unknown=UNKNOWN_EVSE)


def _price_one(
    uow: UnitOfWork,
    provider: ProviderId,
    request: SessionRequest,
    places: dict[str, list[tuple[int, EvsePlace]]],
    subscriptions: list[SubscriptionRow],
    cache: PricingCache,
) -> SessionPrice | PendingTotals:
    evse = EvseId.parse(request.evse_id)
    sent = ProviderId.parse(request.provider_id)
    if sent.normalised != provider.normalised:
        raise DomainError(
            "pricing.provider_not_caller",
            f"provider_id {sent.display} is not the token's provider {provider.display}: a "
            f"provider prices only its own sessions (send {provider.display} or leave "
            "provider_id out)",
            field="provider_id",
        )
    operator_pk, place = _operator_place(evse, places.get(evse.normalised, []), subscriptions)
    at = request.session.session_start
    if not subscribed_among_operator(subscriptions, operator_pk, at):
        # Before the EVSE's group: a zero price for an EVSE in no group is the operator's
        # answer to its subscribers only.
        raise _no_subscription(provider, at, "of this EVSE's operator")
    open_offers = _subscribed_only(subscriptions)
    # The answer names the provider as the token does, whichever spelling was sent.
    own = replace(request, provider_id=provider.display)
    return price_at_place(uow, operator_pk, place, own, cache, open_offers)


def price_sessions_for_provider(
    store: Store,
    provider: ProviderId,
    requests: Iterable[SessionRequest],
    *,
    cache: PricingCache | None = None,
    first_index: int = 0,
) -> Iterator[SessionPrice | PricingRefusal]:
    """Price many sessions for `provider` lazily, in order: a `SessionPrice` or a
    `PricingRefusal` each; memory bounded as `pricing.priced_in_chunks` says.

    Raises `NotFound` `provider.unknown` before the first answer for an unknown provider.
    """
    cache = cache if cache is not None else PricingCache()
    with unit_of_work(store) as uow:
        provider_pk = require_provider(uow, provider).pk

    def pricer(uow: UnitOfWork, chunk: list[SessionRequest]) -> Pricer:
        subscriptions = uow.providers.of_provider(provider_pk)
        operator_pks = sorted({s.operator_pk for s in subscriptions if s.subscribed_at})
        reads = PricingReads(uow.connection)
        places = reads.evse_places_among(operator_pks, evse_keys(chunk))
        return lambda request: _price_one(uow, provider, request, places, subscriptions, cache)

    yield from priced_in_chunks(store, requests, pricer, first_index=first_index)


def price_sessions_as(
    store: Store,
    party: OperatorId | ProviderId,
    requests: Iterable[SessionRequest],
    *,
    cache: PricingCache | None = None,
) -> Iterator[SessionPrice | PricingRefusal]:
    """Price sessions for the token's party: an operator at its own EVSEs under all its
    offers, a provider under its subscriptions in force."""
    if isinstance(party, ProviderId):
        return price_sessions_for_provider(store, party, requests, cache=cache)
    return price_sessions(store, party, requests, cache=cache)


def price_session_as(
    store: Store, party: OperatorId | ProviderId, request: SessionRequest
) -> SessionPrice:
    """Price one session for the token's party; raises the session's `DomainError`."""
    result = next(price_sessions_as(store, party, [request]))
    if isinstance(result, PricingRefusal):
        raise result.error
    return result
