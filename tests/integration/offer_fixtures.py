"""Offers for the service and API tests: Hubject's example bodies on a real network.

`network(store)` makes operator A's draft network `Berlin` with groups North and South
and assigns EVSEs to them; `body(name, ids)` loads a body of tests/fixtures/hubject/ with
its `networkId` and group ids (`g-north`, `g-south`) replaced by the real ones.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from evsenet.domain.network import GroupRef
from evsenet.domain.network_lists import EvseSelection
from evsenet.formats._json_body import parse_json_object
from evsenet.formats.hubject_offer import (
    OfferRequest,
    PriceUpdateRequest,
    read_create_offer,
    read_price_update,
)
from evsenet.services import networks
from evsenet.store.engine import Store
from tests.integration.network_fixtures import ACTOR, A

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hubject"
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
"""The tests' clock: every fixture body starts in 2027."""
VAT = Decimal(19)


@dataclass(frozen=True, slots=True)
class Net:
    id: int
    north: int
    south: int

    @property
    def groups(self) -> dict[str, str]:
        return {"g-north": str(self.north), "g-south": str(self.south)}


def network(
    store: Store, *, operator: str = A, name: str = "Berlin", north: int = 4, south: int = 3
) -> Net:
    """A draft network with groups North (EVSEs E1…) and South (the next ones)."""
    created = networks.create_network(store, operator, name, actor=ACTOR)
    groups = []
    start = 1
    for group_name, count in (("North", north), ("South", south)):
        group = networks.add_group(store, operator, created.id, group_name, actor=ACTOR)
        groups.append(group.id)
        if count:
            ids = [f"{operator}*E{n}" for n in range(start, start + count)]
            networks.assign_evses(
                store,
                operator,
                created.id,
                GroupRef(id=group.id),
                EvseSelection(evse_ids=ids),
                actor=ACTOR,
            )
        start += count
    return Net(created.id, groups[0], groups[1])


def raw(name: str) -> dict[str, Any]:
    """A fixture body as JSON values (numbers as Decimal)."""
    return copy.deepcopy(dict(parse_json_object((FIXTURES / name).read_bytes())))


def on_network(data: dict[str, Any], net: Net) -> dict[str, Any]:
    """The body with its network and groups replaced by `net`'s; no attachment."""
    data = copy.deepcopy(data)
    data["networkId"] = str(net.id)
    data.pop("uploadedAttachmentId", None)
    for key in ("products", "pricingDetails"):
        for product in data.get(key) or []:
            if isinstance(product, dict) and product.get("groupId") in net.groups:
                product["groupId"] = net.groups[product["groupId"]]
    return data


def body(name: str, net: Net, **changes: Any) -> dict[str, Any]:
    data = on_network(raw(name), net)
    data.update(changes)
    return data


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, default=float).encode()


def request(name: str, net: Net, **changes: Any) -> OfferRequest:
    return read_create_offer(body(name, net, **changes), now=NOW, vat_percent=VAT)


def update(name: str, net: Net, **changes: Any) -> PriceUpdateRequest:
    return read_price_update(body(name, net, **changes))
