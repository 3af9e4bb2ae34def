"""Review of an offer's prices: every blocking problem, and each group's coverage.

`offer_problems(offer, network_groups)` lists every problem that blocks publishing —
gaps and overlaps per group, unknown tariff names, tariffs of another currency than
their group, duplicate tariff names, groups not in the network, priced twice, or not
priced — each an `OfferProblem` with a code, a readable message, and where it is
(`field` such as `groups[1].slots`, the group, the day and the seconds). An empty list
means the offer may be published (the zero-priced EVSEs are a separate acknowledgement
that the service asks for). Review and the publish refusal show the same list.

`group_coverage` gives per network group its currency and how much of the week its
schedule covers; the service adds the EVSE counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from evsenet.domain.money import Currency
from evsenet.domain.offer import GroupPrices, Offer
from evsenet.domain.schedule import (
    MAX_SLOTS,
    SECONDS_PER_WEEK,
    ScheduleProblem,
    Weekday,
    covered_seconds,
    schedule_problems,
)
from evsenet.domain.tariff import Tariff


@dataclass(frozen=True, slots=True)
class OfferProblem:
    """One blocking problem of an offer: the code, a readable message, where it is."""

    code: str
    message: str
    field: str
    group_id: str | None = None
    day: Weekday | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class NetworkGroup:
    """A group of the offer's network as review sees it: its id and name."""

    group_id: str
    name: str


@dataclass(frozen=True, slots=True)
class GroupCoverage:
    """What review shows of one network group under an offer (the service adds the EVSE
    count): its currency (None when the offer does not price it) and how much of the
    week its schedule covers."""

    group_id: str
    name: str
    currency: Currency | None
    covered_seconds: int

    @property
    def complete(self) -> bool:
        """Every second of the week has a slot (overlaps are reported as problems)."""
        return self.covered_seconds == SECONDS_PER_WEEK

    @property
    def covered_percent(self) -> Decimal:
        """The covered share of the week in percent, two decimals (rounded down, so
        that 100.00 means complete)."""
        share = Decimal(self.covered_seconds * 100) / SECONDS_PER_WEEK
        return share.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def group_coverage(offer: Offer, network_groups: Iterable[NetworkGroup]) -> list[GroupCoverage]:
    """Per group of the network, in the network's order, its currency and coverage."""
    priced: dict[str, GroupPrices] = {}
    for prices in offer.groups:
        priced.setdefault(prices.group_id, prices)
    result = []
    for group in network_groups:
        found = priced.get(group.group_id)
        result.append(
            GroupCoverage(
                group.group_id,
                group.name,
                found.currency if found else None,
                covered_seconds(found.slots) if found else 0,
            )
        )
    return result


def offer_problems(offer: Offer, network_groups: Iterable[NetworkGroup]) -> list[OfferProblem]:
    """Every blocking problem of `offer` against the groups of its network.

    Empty means publishable (the zero-priced EVSEs are a separate acknowledgement).
    """
    return price_problems(offer.tariffs, offer.groups, network_groups)


def price_problems(
    tariffs: Sequence[Tariff],
    groups: Sequence[GroupPrices],
    network_groups: Iterable[NetworkGroup],
) -> list[OfferProblem]:
    """The blocking problems of a set of prices (an offer's, or a new price version's)."""
    problems: list[OfferProblem] = []
    if not tariffs:
        problems.append(
            OfferProblem("offer.tariffs_missing", "The offer defines no tariff", "tariffs")
        )
    keyed: dict[str, Tariff] = {}
    for index, tariff in enumerate(tariffs):
        if tariff.key in keyed:
            problems.append(
                OfferProblem(
                    "offer.tariff_duplicate",
                    f"Tariff name {tariff.name!r} is used twice (letter case does not count)",
                    f"tariffs[{index}].name",
                )
            )
        keyed.setdefault(tariff.key, tariff)
    names = {group.group_id: group.name for group in network_groups}
    seen: set[str] = set()
    for index, prices in enumerate(groups):
        where = f"groups[{index}]"
        if prices.group_id in seen:
            problems.append(
                OfferProblem(
                    "offer.group_duplicate",
                    f"Group {prices.group_id} is priced twice",
                    where,
                    prices.group_id,
                )
            )
            continue
        seen.add(prices.group_id)
        if prices.group_id not in names:
            problems.append(
                OfferProblem(
                    "offer.group_unknown",
                    f"Group {prices.group_id} is not a group of the offer's network",
                    where,
                    prices.group_id,
                )
            )
            continue
        label = f"Group {names[prices.group_id]}"
        if len(prices.slots) > MAX_SLOTS:
            problems.append(
                OfferProblem(
                    "schedule.too_many_slots",
                    f"{label} has {len(prices.slots)} time slots; at most {MAX_SLOTS} "
                    "(every 15 minutes of the week) are allowed",
                    f"{where}.slots",
                    prices.group_id,
                )
            )
            continue
        for found in schedule_problems(prices.slots, tariffs=keyed, currency=prices.currency):
            problems.append(_from_schedule(found, label, where, prices.group_id))
    for group_id, name in names.items():
        if group_id not in seen:
            problems.append(
                OfferProblem(
                    "offer.group_unpriced",
                    f"Group {name} has no currency and schedule under this offer",
                    "groups",
                    group_id,
                )
            )
    return problems


def _from_schedule(found: ScheduleProblem, label: str, where: str, group_id: str) -> OfferProblem:
    return OfferProblem(
        found.code,
        f"{label}: {found.message}",
        f"{where}.slots",
        group_id,
        found.day,
        found.start,
        found.end,
    )
