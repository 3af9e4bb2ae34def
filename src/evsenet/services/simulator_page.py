"""What the web UI's pricing simulator shows before anything is simulated.

The form needs the offer and a short list of its network's EVSEs to choose from — the
first `EVSE_CHOICES` matching a search, never all of a network of 100,000 — and, once an
EVSE is chosen, the time zone its local times are read in. Simulating itself is
`services.pricing.simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass

from evsenet.domain.ids import OperatorId
from evsenet.domain.network_lists import KeysetPage, NetworkEvseFilter, NetworkEvsePage
from evsenet.services.inventory import get_evse
from evsenet.services.networks import list_network_evses
from evsenet.services.offers import OfferView, get_offer
from evsenet.store.engine import Store

EVSE_CHOICES = 50
"""How many of the network's EVSEs the form offers at once (a search narrows them)."""


@dataclass(frozen=True, slots=True)
class SimulatorForm:
    """The offer to simulate under and the network's EVSEs matching the search."""

    offer: OfferView
    evses: NetworkEvsePage


def simulator_form(
    store: Store,
    operator: OperatorId,
    offer_id: int,
    search: str | None = None,
    city: str | None = None,
) -> SimulatorForm:
    """The operator's offer (another operator's is not found) and up to `EVSE_CHOICES` of
    the EVSEs in its network's groups whose ID contains `search`, in `city`."""
    offer = get_offer(store, operator, offer_id)
    evses = list_network_evses(
        store,
        operator,
        offer.network_id,
        assigned=True,
        criteria=NetworkEvseFilter.parse(text=search or None, city=city or None),
        page=KeysetPage(limit=EVSE_CHOICES),
    )
    return SimulatorForm(offer, evses)


def evse_time_zone(store: Store, operator: OperatorId, offer_id: int, evse_id: str) -> str:
    """The IANA zone of the operator's EVSE `evse_id` (its local times are read in it),
    asked from the simulator of the operator's offer `offer_id` (another operator's offer
    is not found)."""
    get_offer(store, operator, offer_id)
    return get_evse(store, operator.display, evse_id).record.time_zone
