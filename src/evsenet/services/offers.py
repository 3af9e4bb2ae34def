"""Use cases of service offers: drafts, review, publish, price versions, attachments.

Each call is one transaction (`unit_of_work`); every change writes its audit entry in
it. Offers, networks and attachments are looked up within the caller's operator: another
operator's answers 404, exactly like a missing one.

Publishing (and Hubject's create-and-publish, and a new price version) first takes the
operator's row lock (PostgreSQL; SQLite's write transaction is serial), so that "only one
offer-to-all per service type in force at any moment" is checked against the same
offers the write then joins. In that one transaction it freezes the offer and activates
its network.

The bodies are Hubject's (`formats.hubject_offer`): `OfferRequest` for a draft or a
create, `PriceUpdateRequest` for a new price version. Refusals of prices
(`PublishRefused`, code `offer.not_publishable`) name every problem with its JSON path.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from evsenet.domain.errors import Conflict, DomainError, NotFound
from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor, AuditRecord, NetworkStatus
from evsenet.domain.network_lists import KeysetPage, NetworkEvseFilter, NetworkEvsePage
from evsenet.domain.offer import Offer
from evsenet.domain.offer_lifecycle import (
    InForce,
    OfferStatus,
    PriceVersion,
    check_price_update,
    ensure_editable,
    ensure_same_network,
    offers_to_all_in_the_way,
    status_at,
)
from evsenet.domain.offer_review import NetworkGroup, OfferProblem, group_coverage, offer_problems
from evsenet.domain.offer_review import price_problems as _price_problems
from evsenet.formats.hubject_offer import OfferRequest, PriceUpdateRequest
from evsenet.services.offer_attachments import attachment_pk, store_attachment
from evsenet.services.offer_views import (
    AttachmentView,
    GroupReview,
    OfferReview,
    OfferSummary,
    OfferView,
    PublishRefused,
)
from evsenet.services.operators import require_operator
from evsenet.store.engine import Store
from evsenet.store.repositories.networks import NetworkRow
from evsenet.store.repositories.offers import StoredOffer, load_offer, offers_in_force
from evsenet.store.uow import UnitOfWork, unit_of_work

MAX_KEY = 2**63 - 1
ZERO_PRICED_SAMPLE = 20
"""How many zero-priced EVSEs a review shows (the list pages through all of them)."""

__all__ = [
    "AttachmentView",
    "GroupReview",
    "OfferReview",
    "OfferSummary",
    "OfferView",
    "PublishRefused",
    "add_price_version",
    "create_and_publish",
    "create_offer",
    "delete_offer",
    "get_offer",
    "list_offers",
    "list_versions",
    "load_offer",
    "offers_in_force",
    "publish_offer",
    "review_offer",
    "store_attachment",
    "update_offer",
    "zero_priced_evses",
]


def _now(now: datetime | None) -> datetime:
    moment = now or datetime.now(UTC)
    if moment.utcoffset() is None:
        raise DomainError("time.naive", "now has no UTC offset")
    return moment


def _operator(operator: OperatorId | str) -> OperatorId:
    return operator if isinstance(operator, OperatorId) else OperatorId.parse(operator)


def _key(text: object) -> int | None:
    """A database key from an id as sent (`12`), or None when it names nothing."""
    value = str(text).strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_KEY else None


def _network(
    uow: UnitOfWork, operator_pk: int, network_id: object, *, lock: bool = False
) -> NetworkRow:
    pk = _key(network_id)
    found = None
    if pk is not None:
        found = uow.networks.get_network(operator_pk, pk, lock="update" if lock else None)
    if found is None:
        raise NotFound(
            "network.not_found", f"This operator has no network {network_id}", field="networkId"
        )
    return found


def _offer_not_found(offer_id: object) -> NotFound:
    return NotFound("offer.not_found", f"This operator has no offer {offer_id}")


def _stored(
    uow: UnitOfWork, operator_pk: int, offer_id: object, *, lock: bool = False
) -> StoredOffer:
    pk = _key(offer_id)
    found = None if pk is None else uow.offers.get(pk, operator_pk, lock=lock)
    if found is None:
        raise _offer_not_found(offer_id)
    return found


def _groups(uow: UnitOfWork, network_pk: int) -> list[NetworkGroup]:
    return [NetworkGroup(str(g.id), g.name) for g in uow.networks.groups(network_pk)]


def _view(
    stored: StoredOffer, operator: OperatorId, network: NetworkRow, now: datetime
) -> OfferView:
    status = status_at(
        published=stored.published,
        valid_from=stored.effective_from,
        valid_to=stored.effective_to,
        at=now,
    )
    return OfferView(
        id=stored.pk,
        operator_id=operator.display,
        offer=stored.offer,
        status=status,
        version=stored.version,
        previous_offer_id=stored.previous_offer_id,
        next_offer_id=stored.next_offer_id,
        effective_from=stored.effective_from,
        effective_to=stored.effective_to,
        network_id=network.pk,
        network_name=network.name,
        published_at=stored.published_at,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
        placeholder_id=stored.placeholder_id,
        chain_id=stored.chain_pk,
    )


def _audit(
    uow: UnitOfWork, operator_pk: int, actor: Actor, action: str, stored: StoredOffer, **counts: int
) -> None:
    subject = f"offer {stored.pk} {stored.offer.terms.name!r}"
    if stored.version > 1:
        subject += f", version {stored.version}"
    record = AuditRecord(action, subject, stored.network_pk, dict(counts))
    uow.audit.add(operator_pk, actor, record, datetime.now(UTC))


def _check_attachment(uow: UnitOfWork, operator_pk: int, offer: Offer) -> None:
    attachment_id = offer.terms.attachment_id
    if attachment_id is None:
        return
    pk = attachment_pk(attachment_id)
    if pk is None or uow.offers.attachment(operator_pk, pk) is None:
        raise DomainError(
            "offer.attachment_unknown",
            f"This operator has uploaded no attachment {attachment_id!r}; upload the PDF "
            "first (POST …/service-offers/attachments) and name the id it answers",
            field="uploadedAttachmentId",
        )


# --- drafts ---------------------------------------------------------------------------


def create_offer(
    store: Store,
    operator: OperatorId | str,
    request: OfferRequest,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> OfferView:
    """A new draft. Its terms are valid (the request was read against `now`); its prices
    may still have gaps — review lists what blocks publishing."""
    moment = _now(now)
    caller = _operator(operator)
    with unit_of_work(store, write=True) as uow:
        operator_pk = require_operator(uow, caller).pk
        network = _network(uow, operator_pk, request.offer.terms.network_id)
        _check_attachment(uow, operator_pk, request.offer)
        offer = _on_network(request.offer, network)
        pk = uow.offers.add(
            operator_pk, network.pk, offer, moment, placeholder_id=request.placeholder_id
        )
        stored = _stored(uow, operator_pk, pk)
        _audit(uow, operator_pk, actor, "offer.created", stored)
        return _view(stored, caller, network, moment)


def _on_network(offer: Offer, network: NetworkRow) -> Offer:
    """The offer with its network id as stored (`7`, not ` 7`)."""
    return replace(offer, terms=replace(offer.terms, network_id=str(network.pk)))


def update_offer(
    store: Store,
    operator: OperatorId | str,
    offer_id: int,
    request: OfferRequest,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> OfferView:
    """Replace a draft's terms and prices; a published offer never changes
    (`offer.published_immutable`)."""
    moment = _now(now)
    caller = _operator(operator)
    with unit_of_work(store, write=True) as uow:
        operator_pk = require_operator(uow, caller).pk
        current = _stored(uow, operator_pk, offer_id, lock=True)
        ensure_editable(_status(current, moment))
        network = _network(uow, operator_pk, request.offer.terms.network_id)
        _check_attachment(uow, operator_pk, request.offer)
        offer = _on_network(request.offer, network)
        uow.offers.replace_draft(current.pk, network.pk, offer, request.placeholder_id, moment)
        stored = _stored(uow, operator_pk, current.pk)
        _audit(uow, operator_pk, actor, "offer.updated", stored)
        return _view(stored, caller, network, moment)


def _status(stored: StoredOffer, now: datetime) -> OfferStatus:
    return status_at(
        published=stored.published,
        valid_from=stored.effective_from,
        valid_to=stored.effective_to,
        at=now,
    )


def delete_offer(store: Store, operator: OperatorId | str, offer_id: int, *, actor: Actor) -> None:
    """Delete a draft; a published offer stays (`offer.published_immutable`)."""
    moment = _now(None)
    with unit_of_work(store, write=True) as uow:
        operator_pk = require_operator(uow, _operator(operator)).pk
        current = _stored(uow, operator_pk, offer_id, lock=True)
        ensure_editable(_status(current, moment))
        uow.offers.delete_draft(current.pk)
        _audit(uow, operator_pk, actor, "offer.deleted", current)


def get_offer(
    store: Store, operator: OperatorId | str, offer_id: int, *, now: datetime | None = None
) -> OfferView:
    """One offer (draft or price version), its status at `now`."""
    moment = _now(now)
    caller = _operator(operator)
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, caller).pk
        stored = _stored(uow, operator_pk, offer_id)
        return _view(stored, caller, _network(uow, operator_pk, stored.network_pk), moment)


def list_offers(
    store: Store, operator: OperatorId | str, *, now: datetime | None = None
) -> list[OfferSummary]:
    """The operator's offers and price versions, newest first."""
    moment = _now(now)
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, _operator(operator)).pk
        names = {n.id: n.name for n in uow.networks.summaries(operator_pk)}
        return [
            OfferSummary(
                id=s.pk,
                name=s.offer.terms.name,
                status=status_at(
                    published=s.published,
                    valid_from=s.effective_from,
                    valid_to=s.effective_to,
                    at=moment,
                ),
                version=s.version,
                offer_to_all=s.offer.terms.offer_to_all,
                service_type=int(s.offer.terms.service_type),
                network_id=s.network_pk,
                network_name=names.get(s.network_pk, ""),
                valid_from=s.offer.terms.valid_from,
                valid_to=s.offer.terms.valid_to,
                effective_from=s.effective_from,
                effective_to=s.effective_to,
                next_offer_id=s.next_offer_id,
                updated_at=s.updated_at,
            )
            for s in uow.offers.of_operator(operator_pk)
        ]


# --- review and publish ---------------------------------------------------------------


def _blocking(
    uow: UnitOfWork, operator_pk: int, stored: StoredOffer, now: datetime
) -> list[OfferProblem]:
    """Every problem that blocks publishing the draft now: its prices against the
    network's groups, a start no longer in the future, another offer-to-all in force."""
    offer = stored.offer
    problems = offer_problems(offer, _groups(uow, stored.network_pk))
    terms = offer.terms
    if terms.valid_from <= now:
        problems.append(
            OfferProblem(
                "offer.valid_from_past",
                f"validFrom {terms.valid_from.isoformat()} is no longer in the future; "
                "change the draft's start",
                "validFrom",
            )
        )
    if terms.offer_to_all:
        candidate = InForce(str(stored.pk), terms.service_type, terms.valid_from, terms.valid_to)
        for other in offers_to_all_in_the_way(candidate, uow.offers.offers_to_all(operator_pk)):
            until = f"to {other.valid_until.isoformat()}" if other.valid_until else "without end"
            problems.append(
                OfferProblem(
                    "offer.offer_to_all_overlap",
                    f"Offer-to-all {other.offer_id} for {terms.service_type.label} is in force "
                    f"from {other.valid_from.isoformat()} {until}; only one offer-to-all per "
                    "service type may be in force at any moment",
                    "validFrom",
                )
            )
    return problems


def review_offer(
    store: Store, operator: OperatorId | str, offer_id: int, *, now: datetime | None = None
) -> OfferReview:
    """What publishing the offer would do: its blocking problems, each group of the
    network (currency, coverage, EVSE count) and the EVSEs in no group, priced at zero."""
    moment = _now(now)
    caller = _operator(operator)
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, caller).pk
        stored = _stored(uow, operator_pk, offer_id)
        network = _network(uow, operator_pk, stored.network_pk)
        problems = _blocking(uow, operator_pk, stored, moment) if not stored.published else []
        groups = uow.networks.groups(network.pk)
        counts = {g.id: g.evse_count for g in groups}
        coverage = group_coverage(stored.offer, [NetworkGroup(str(g.id), g.name) for g in groups])
        page = uow.networks.page(
            operator_pk,
            network.pk,
            NetworkEvseFilter(),
            False,
            KeysetPage(limit=ZERO_PRICED_SAMPLE),
        )
        return OfferReview(
            offer=_view(stored, caller, network, moment),
            problems=problems,
            groups=[
                GroupReview(
                    int(c.group_id), c.name, c.currency, c.covered_percent, counts[int(c.group_id)]
                )
                for c in coverage
            ],
            zero_priced_count=page.total,
            zero_priced_sample=page.items,
        )


def _acknowledged(count: int, acknowledged: int | None, network: NetworkRow) -> None:
    if count == 0 or acknowledged == count:
        return
    where = f"in no group of network {network.name!r}"
    if acknowledged is None:
        raise Conflict(
            "offer.zero_priced_unacknowledged",
            f"{count} EVSE(s) of the operator are {where} and would be priced at zero under "
            f"this offer; assign them, or acknowledge with acknowledge_zero_priced={count}",
            field="acknowledge_zero_priced",
        )
    raise Conflict(
        "offer.zero_priced_count_stale",
        f"The acknowledgement names {acknowledged} zero-priced EVSE(s), but {count} are "
        f"{where} now; review again and acknowledge {count}",
        field="acknowledge_zero_priced",
    )


def _publish(
    uow: UnitOfWork,
    operator_pk: int,
    stored: StoredOffer,
    acknowledge_zero_priced: int | None,
    actor: Actor,
    now: datetime,
) -> NetworkRow:
    """Publish a draft inside the open transaction (the operator's lock is held)."""
    ensure_editable(_status(stored, now))
    network = _network(uow, operator_pk, stored.network_pk, lock=True)
    problems = _blocking(uow, operator_pk, stored, now)
    if problems:
        raise PublishRefused(problems)
    _acknowledged(uow.networks.unassigned_count(operator_pk), acknowledge_zero_priced, network)
    _check_attachment(uow, operator_pk, stored.offer)
    uow.offers.publish(stored.pk, now)
    published = _stored(uow, operator_pk, stored.pk)
    _audit(uow, operator_pk, actor, "offer.published", published)
    if network.status is NetworkStatus.DRAFT:
        uow.networks.activate(network.pk, now)
        record = AuditRecord(
            "network.activated", f"network {network.pk} {network.name!r}", network.pk
        )
        uow.audit.add(operator_pk, actor, record, datetime.now(UTC))
        network = _network(uow, operator_pk, network.pk)
    return network


def publish_offer(
    store: Store,
    operator: OperatorId | str,
    offer_id: int,
    *,
    acknowledge_zero_priced: int | None,
    actor: Actor,
    now: datetime | None = None,
) -> OfferView:
    """Publish a draft: refused while review finds problems (`offer.not_publishable`) or
    while EVSEs would be priced at zero without an acknowledgement of their current
    count; in one transaction freezes the offer and activates its network."""
    moment = _now(now)
    caller = _operator(operator)
    with unit_of_work(store, write=True) as uow:
        operator_pk = require_operator(uow, caller, lock=True).pk
        stored = _stored(uow, operator_pk, offer_id, lock=True)
        network = _publish(uow, operator_pk, stored, acknowledge_zero_priced, actor, moment)
        return _view(_stored(uow, operator_pk, stored.pk), caller, network, moment)


def create_and_publish(
    store: Store,
    operator: OperatorId | str,
    request: OfferRequest,
    *,
    acknowledge_zero_priced: int | None,
    actor: Actor,
    now: datetime | None = None,
) -> OfferView:
    """Hubject's create: a draft published at once, all or nothing."""
    moment = _now(now)
    caller = _operator(operator)
    with unit_of_work(store, write=True) as uow:
        operator_pk = require_operator(uow, caller, lock=True).pk
        network = _network(uow, operator_pk, request.offer.terms.network_id)
        _check_attachment(uow, operator_pk, request.offer)
        offer = _on_network(request.offer, network)
        pk = uow.offers.add(
            operator_pk, network.pk, offer, moment, placeholder_id=request.placeholder_id
        )
        stored = _stored(uow, operator_pk, pk, lock=True)
        _audit(uow, operator_pk, actor, "offer.created", stored)
        network = _publish(uow, operator_pk, stored, acknowledge_zero_priced, actor, moment)
        return _view(_stored(uow, operator_pk, pk), caller, network, moment)


# --- price versions -------------------------------------------------------------------


def add_price_version(
    store: Store,
    operator: OperatorId | str,
    offer_id: int | str,
    update: PriceUpdateRequest,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> OfferView:
    """Version N+1 of an unlimited offer's prices from `update.update_date` (at least the
    lead time ahead), linked both ways to version N, which ends there. Sessions before
    the update date keep version N's prices. Limited offers refuse it."""
    moment = _now(now)
    caller = _operator(operator)
    with unit_of_work(store, write=True) as uow:
        operator_pk = require_operator(uow, caller, lock=True).pk
        current = _stored(uow, operator_pk, offer_id, lock=True)
        if not current.published:
            raise Conflict(
                "offer.version_of_draft",
                f"Offer {current.pk} is a draft: change it directly, or publish it first",
            )
        terms = current.offer.terms
        ensure_same_network(str(current.network_pk), update.network_id.strip())
        check_price_update(
            unlimited=terms.unlimited,
            lead_time_days=terms.lead_time_days,
            current=PriceVersion(
                str(current.pk),
                current.version,
                current.effective_from,
                None if current.previous_offer_id is None else str(current.previous_offer_id),
                None if current.next_offer_id is None else str(current.next_offer_id),
            ),
            update_date=update.update_date,
            now=moment,
        )
        problems = _price_problems(update.tariffs, update.groups, _groups(uow, current.network_pk))
        if problems:
            raise PublishRefused(problems, products="pricingDetails")
        offer = Offer(terms, update.tariffs, update.groups)
        assert current.chain_pk is not None
        pk = uow.offers.add(
            operator_pk,
            current.network_pk,
            offer,
            moment,
            placeholder_id=update.placeholder_id,
            version=current.version + 1,
            previous_offer_id=current.pk,
            chain_pk=current.chain_pk,
            effective_from=update.update_date,
            effective_to=terms.valid_to,
            published_at=moment,
        )
        uow.offers.link_next(current.pk, pk, update.update_date, moment)
        following = _stored(uow, operator_pk, pk)
        _audit(uow, operator_pk, actor, "offer.version_added", following)
        network = _network(uow, operator_pk, current.network_pk)
        return _view(following, caller, network, moment)


def list_versions(
    store: Store, operator: OperatorId | str, offer_id: int, *, now: datetime | None = None
) -> list[OfferView]:
    """Every price version of the offer's chain, oldest first (a draft: itself)."""
    moment = _now(now)
    caller = _operator(operator)
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, caller).pk
        stored = _stored(uow, operator_pk, offer_id)
        network = _network(uow, operator_pk, stored.network_pk)
        chain = [stored] if stored.chain_pk is None else uow.offers.chain(stored.chain_pk)
        return [_view(s, caller, network, moment) for s in chain]


def zero_priced_evses(
    store: Store, operator: OperatorId | str, offer_id: int, page: KeysetPage | None = None
) -> NetworkEvsePage:
    """The operator's active EVSEs in no group (priced at zero under the offer), paged."""
    with unit_of_work(store) as uow:
        operator_pk = require_operator(uow, _operator(operator)).pk
        stored = _stored(uow, operator_pk, offer_id)
        return uow.networks.page(
            operator_pk, stored.network_pk, NetworkEvseFilter(), False, page or KeysetPage()
        )
