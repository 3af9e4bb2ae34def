"""An offer's life: its states, the one-offer-to-all rule, and price versions.

States (DESIGN.md, "Lifecycle"):

    draft ──publish──▶ pending ──valid_from──▶ active ──valid_to──▶ expired
                          │                      │
                          └──────cancel──────────┴──▶ cancelled

A draft is ours alone and changes freely; from `pending` on the offer is published and
never changes (`ensure_editable`). Between pending, active and expired nothing is
stored: `status_at` derives them from the validity at an instant. `cancelled` is an
operator's act and is final, like `expired`.

Only one offer-to-all per service type may be in force at any moment
(`offers_to_all_in_the_way`): the service calls it under a lock with the operator's other
published offers-to-all.

An unlimited offer's prices are replaced as a whole by a new **price version** N+1 whose
`update_date` is at least the lead time ahead (`check_price_update`); version N then ends
where N+1 starts, and sessions keep the version in force at their start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from evsenet.domain.errors import Conflict, DomainError
from evsenet.domain.offer import ServiceType


class OfferStatus(StrEnum):
    """Where an offer stands; `draft` is evsenet's, the others are Hubject's."""

    DRAFT = "draft"
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def published(self) -> bool:
        """Providers see the offer (and it can no longer change)."""
        return self is not OfferStatus.DRAFT


TRANSITIONS: dict[OfferStatus, frozenset[OfferStatus]] = {
    OfferStatus.DRAFT: frozenset({OfferStatus.PENDING}),
    OfferStatus.PENDING: frozenset({OfferStatus.ACTIVE, OfferStatus.CANCELLED}),
    OfferStatus.ACTIVE: frozenset({OfferStatus.EXPIRED, OfferStatus.CANCELLED}),
    OfferStatus.EXPIRED: frozenset(),
    OfferStatus.CANCELLED: frozenset(),
}
"""The allowed moves; `expired` and `cancelled` are final."""


def transition(current: OfferStatus, target: OfferStatus) -> OfferStatus:
    """`target`, when an offer in `current` may move there; raises `Conflict`
    `offer.transition_not_allowed` otherwise."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing"
        raise Conflict(
            "offer.transition_not_allowed",
            f"An offer that is {current.value} cannot become {target.value} (it may become: "
            f"{allowed})",
            field="status",
        )
    return target


def status_at(
    *,
    published: bool,
    valid_from: datetime,
    valid_to: datetime | None,
    at: datetime,
    cancelled_from: datetime | None = None,
) -> OfferStatus:
    """The status of an offer at instant `at`: draft until published, then pending
    before `valid_from`, active inside [valid_from, valid_to), expired from `valid_to`
    on; cancelled from `cancelled_from` on (when the operator cancelled it)."""
    if not published:
        return OfferStatus.DRAFT
    if cancelled_from is not None and at >= cancelled_from:
        return OfferStatus.CANCELLED
    if at < valid_from:
        return OfferStatus.PENDING
    if valid_to is not None and at >= valid_to:
        return OfferStatus.EXPIRED
    return OfferStatus.ACTIVE


def ensure_editable(status: OfferStatus) -> None:
    """Raise `Conflict` `offer.published_immutable` unless the offer is a draft."""
    if status.published:
        raise Conflict(
            "offer.published_immutable",
            f"The offer is {status.value}: a published offer never changes (an unlimited "
            "offer's prices change by a new price version)",
        )


@dataclass(frozen=True, slots=True)
class InForce:
    """When a published offer-to-all is in force: [valid_from, valid_until), open-ended
    when `valid_until` is None. For a cancelled offer, `valid_until` is its end."""

    offer_id: str
    service_type: ServiceType
    valid_from: datetime
    valid_until: datetime | None


def overlaps(a: InForce, b: InForce) -> bool:
    """Do the two half-open periods share an instant?"""
    a_before_b_ends = b.valid_until is None or a.valid_from < b.valid_until
    b_before_a_ends = a.valid_until is None or b.valid_from < a.valid_until
    return a_before_b_ends and b_before_a_ends


def offers_to_all_in_the_way(candidate: InForce, others: Iterable[InForce]) -> list[InForce]:
    """The operator's published offers-to-all of the candidate's service type whose
    period shares an instant with the candidate's (the candidate itself excluded)."""
    return [
        other
        for other in others
        if other.offer_id != candidate.offer_id
        and other.service_type is candidate.service_type
        and overlaps(candidate, other)
    ]


def ensure_single_offer_to_all(candidate: InForce, others: Iterable[InForce]) -> None:
    """Raise `Conflict` `offer.offer_to_all_overlap` when another offer-to-all of the same
    service type is in force at some instant of the candidate's period."""
    clashing = offers_to_all_in_the_way(candidate, others)
    if clashing:
        first = clashing[0]
        until = f"to {first.valid_until.isoformat()}" if first.valid_until else "without end"
        raise Conflict(
            "offer.offer_to_all_overlap",
            f"Offer-to-all {first.offer_id} for {candidate.service_type.label} is in force "
            f"from {first.valid_from.isoformat()} {until}; only one "
            "offer-to-all per service type may be in force at any moment",
            field="valid_from",
        )


@dataclass(frozen=True, slots=True)
class PriceVersion:
    """Version `number` of an unlimited offer's prices, in force from `valid_from` until
    the next version's start; linked both ways (`previous_id`, `next_id`)."""

    offer_id: str
    number: int
    valid_from: datetime
    previous_id: str | None = None
    next_id: str | None = None


def check_price_update(
    *,
    unlimited: bool,
    lead_time_days: int | None,
    current: PriceVersion,
    update_date: datetime,
    now: datetime,
) -> None:
    """Raise `DomainError` unless new prices may start at `update_date`.

    `offer.version_limited`: a limited offer keeps its prices to its end;
    `offer.version_inside_lead_time`: `update_date` is before `now` + lead time;
    `offer.version_before_current`: it is not after the current version's start;
    `offer.version_not_latest`: `current` already has a successor.
    """
    if not unlimited or lead_time_days is None:
        raise DomainError(
            "offer.version_limited",
            "A limited offer keeps its prices to its end; only an unlimited offer gets price "
            "versions",
            field="update_date",
        )
    if update_date.utcoffset() is None or now.utcoffset() is None:
        raise DomainError("time.naive", "update_date has no UTC offset", field="update_date")
    if current.next_id is not None:
        raise Conflict(
            "offer.version_not_latest",
            f"Version {current.number} already has a successor ({current.next_id}); update "
            "the latest version",
            field="update_date",
        )
    earliest = now + timedelta(days=lead_time_days)
    if update_date < earliest:
        raise DomainError(
            "offer.version_inside_lead_time",
            f"New prices may start at {earliest.isoformat()} at the earliest ({lead_time_days} "
            f"days of lead time); {update_date.isoformat()} is too early",
            field="update_date",
        )
    if update_date <= current.valid_from:
        raise DomainError(
            "offer.version_before_current",
            f"New prices must start after version {current.number} starts "
            f"({current.valid_from.isoformat()})",
            field="update_date",
        )


def ensure_same_network(offer_network_id: str, update_network_id: str) -> None:
    """Raise `DomainError` `offer.version_network_mismatch` when a price update names
    another network than the offer's: a version replaces prices, never the network."""
    if offer_network_id != update_network_id:
        raise DomainError(
            "offer.version_network_mismatch",
            f"The offer prices network {offer_network_id}; a price version cannot move it to "
            f"{update_network_id}",
            field="network_id",
        )


def next_version(
    current: PriceVersion, *, new_id: str, update_date: datetime
) -> tuple[PriceVersion, PriceVersion]:
    """Version N (now linked forward) and version N+1 (linked back), starting at
    `update_date`. Call `check_price_update` first."""
    following = PriceVersion(
        offer_id=new_id,
        number=current.number + 1,
        valid_from=update_date,
        previous_id=current.offer_id,
    )
    linked = PriceVersion(
        current.offer_id, current.number, current.valid_from, current.previous_id, new_id
    )
    return linked, following


def version_at(versions: Iterable[PriceVersion], at: datetime) -> PriceVersion | None:
    """The version in force at `at` (the latest one started by then), or None before the
    first. A session is priced with the version in force at its start."""
    started = [v for v in versions if v.valid_from <= at]
    return max(started, key=lambda v: v.valid_from, default=None)
