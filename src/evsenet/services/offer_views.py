"""What the offers services answer: views of offers, reviews, attachments, refusals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from evsenet.domain.errors import FieldProblem, InvalidRecord
from evsenet.domain.money import Currency
from evsenet.domain.network_lists import NetworkEvseRow
from evsenet.domain.offer import Offer
from evsenet.domain.offer_lifecycle import OfferStatus
from evsenet.domain.offer_review import OfferProblem
from evsenet.formats.hubject_offer import problem_path

REFUSAL_SHOWN = 3
"""How many problems a publish refusal's message names (`errors` lists them all)."""


@dataclass(frozen=True, slots=True)
class OfferView:
    """An offer (draft or one published price version) as the caller sees it now."""

    id: int
    operator_id: str
    offer: Offer
    status: OfferStatus
    version: int
    previous_offer_id: int | None
    next_offer_id: int | None
    effective_from: datetime
    effective_to: datetime | None
    network_id: int
    network_name: str
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    placeholder_id: str = ""
    chain_id: int | None = None

    @property
    def name(self) -> str:
        return self.offer.terms.name


@dataclass(frozen=True, slots=True)
class OfferSummary:
    """One row of the offer list."""

    id: int
    name: str
    status: OfferStatus
    version: int
    offer_to_all: bool
    service_type: int
    network_id: int
    network_name: str
    valid_from: datetime
    valid_to: datetime | None
    effective_from: datetime
    effective_to: datetime | None
    next_offer_id: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class GroupReview:
    """One group of the offer's network under review: its currency (None when the offer
    does not price it), how much of the week it covers, and how many EVSEs it holds."""

    group_id: int
    name: str
    currency: Currency | None
    covered_percent: Decimal
    evse_count: int


@dataclass(frozen=True, slots=True)
class OfferReview:
    """What publishing would do: the blocking problems (empty: publishable), each group
    of the network, and the operator's EVSEs in no group (priced at zero)."""

    offer: OfferView
    problems: list[OfferProblem]
    groups: list[GroupReview]
    zero_priced_count: int
    zero_priced_sample: list[NetworkEvseRow]

    @property
    def publishable(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class AttachmentView:
    """A stored terms-and-conditions PDF."""

    id: int
    file_name: str
    size: int
    sha256: str
    created_at: datetime


class PublishRefused(InvalidRecord):
    """The offer (or price version) has blocking problems: `problems` lists every one,
    each field a JSON path of the body (`products[1].product.timePlans`)."""

    code_name = "offer.not_publishable"

    def __init__(self, problems: Sequence[OfferProblem], *, products: str = "products") -> None:
        super().__init__(
            [
                FieldProblem(problem_path(p.field, products=products), p.code, p.message)
                for p in problems
            ]
        )
        shown = "; ".join(p.message for p in problems[:REFUSAL_SHOWN])
        more = len(problems) - REFUSAL_SHOWN
        tail = f" (and {more} more)" if more > 0 else ""
        self.code = self.code_name
        self.message = (
            f"The offer cannot be published: {len(problems)} problem(s) remain: {shown}{tail}"
        )
        self.args = (self.message,)
        self.offer_problems = list(problems)
