"""Which published offer prices a provider's session (DESIGN.md, "Pricing a session").

Among the authorisation offers in force at the session start on the EVSE's network, a
bilateral offer naming the provider beats the offer-to-all; among several of one kind the
most recently effective version wins (the lowest key breaks a tie, so the answer is stable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from evsenet.domain.ids import ProviderId
from evsenet.domain.offer import Offer, ServiceType

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class OfferCandidate(Generic[K]):
    """A published offer version and when it is in force: [effective_from, effective_to)."""

    key: K
    offer: Offer
    effective_from: datetime
    effective_to: datetime | None

    def in_force_at(self, at: datetime) -> bool:
        return self.effective_from <= at and (self.effective_to is None or at < self.effective_to)


def addressed_to(offer: Offer, provider: ProviderId) -> bool:
    """True when the bilateral `offer` names `provider`."""
    return not offer.terms.offer_to_all and any(
        p.normalised == provider.normalised for p in offer.terms.providers
    )


def offer_for_session(
    candidates: Sequence[OfferCandidate[K]], provider: ProviderId, at: datetime
) -> OfferCandidate[K] | None:
    """The offer that prices `provider`'s session starting `at`, or None when none is in
    force: a bilateral offer addressed to the provider first, else the offer-to-all."""
    in_force = [
        c
        for c in candidates
        if c.in_force_at(at) and c.offer.terms.service_type is ServiceType.AUTHORIZATION
    ]
    for matches in (
        [c for c in in_force if addressed_to(c.offer, provider)],
        [c for c in in_force if c.offer.terms.offer_to_all],
    ):
        if matches:
            newest = max(c.effective_from for c in matches)
            return next(c for c in matches if c.effective_from == newest)
    return None
