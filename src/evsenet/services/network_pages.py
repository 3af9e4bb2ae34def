"""What the web UI's network page shows at once, read through the networks service.

The page needs the network with its groups, both EVSE lists (each with its own filter and
page) and the count of the operator's EVSEs in no group for the warning banner. This use
case gathers them; it decides nothing the networks service does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from evsenet.domain.ids import OperatorId
from evsenet.domain.network_lists import (
    KeysetPage,
    NetworkDetail,
    NetworkEvseFilter,
    NetworkEvsePage,
)
from evsenet.services.networks import (
    get_network,
    list_network_evses,
    unassigned_count,
)
from evsenet.store.engine import Store


@dataclass(frozen=True, slots=True)
class ListRequest:
    """One list of the page: its filter and which page of it."""

    criteria: NetworkEvseFilter
    page: KeysetPage


@dataclass(frozen=True, slots=True)
class NetworkWorkspace:
    """The network, its two lists and how many of the operator's EVSEs are in no group."""

    network: NetworkDetail
    assigned: NetworkEvsePage
    unassigned: NetworkEvsePage
    in_no_group: int


def network_workspace(
    store: Store,
    operator: OperatorId,
    network_id: int,
    *,
    assigned: ListRequest,
    unassigned: ListRequest,
) -> NetworkWorkspace:
    """The network page's content; another operator's network is not found."""
    network = get_network(store, operator, network_id)
    assigned_page = list_network_evses(
        store,
        operator,
        network_id,
        assigned=True,
        criteria=assigned.criteria,
        page=assigned.page,
    )
    unassigned_page = list_network_evses(
        store,
        operator,
        network_id,
        assigned=False,
        criteria=unassigned.criteria,
        page=unassigned.page,
    )
    unfiltered = unassigned.criteria == NetworkEvseFilter()
    count = unassigned_page.total if unfiltered else unassigned_count(store, operator, network_id)
    return NetworkWorkspace(network, assigned_page, unassigned_page, count)
