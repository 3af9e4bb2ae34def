"""The provider's pages on a big network: server time of the weekly prices page and of the
first and the last page of a big group's EVSEs.

    .venv/bin/python benchmarks/bench_provider_web.py [--evses 200000] [--views 5]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

The database is built with set-based SQL (`evsenet.store.synthetic`): one operator with
`--evses` EVSEs over 20 German cities, a network whose groups Berlin and München hold each
city's EVSEs, Hubject's example offer-to-all (without its two-step process) pricing both,
and provider DE*ICE subscribed to it. Then, through the real app, signed in as the
provider's user: GET /provider/operators/DEABC (the offers, the groups' weekly grids and
their EVSE counts), the first page of group Berlin's EVSEs and its last page.

Server time is the app's own `Server-Timing` header; the median of `--views` views each.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from evsenet.api import create_app
from evsenet.benchmarking import bench_store, server_ms, sign_in
from evsenet.domain.ids import OperatorId, ProviderId
from evsenet.domain.network import Actor, GroupRef
from evsenet.domain.network_lists import EvseSelection, NetworkEvseFilter
from evsenet.formats.hubject_offer import read_create_offer
from evsenet.services import offers, subscriptions
from evsenet.services.networks import add_group, assign_evses, create_network
from evsenet.services.operators import register_operator
from evsenet.services.providers import register_provider
from evsenet.services.schema import prepare_schema
from evsenet.services.users import add_party_user
from evsenet.store.engine import Store
from evsenet.store.synthetic import generate_evses

OPERATOR = "DE*ABC"
PROVIDER = "DE*ICE"
EMAIL = "bench@ice.example"
PASSWORD = "benchmark password"
ACTOR = Actor.system()
PAGE_SIZE = 25
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
OFFER = Path(__file__).resolve().parents[1] / "tests/fixtures/hubject"


def _offer_body(network_id: int, berlin: int, munich: int) -> dict[str, Any]:
    path = OFFER / "create_unlimited_offer_to_all.json"
    data: dict[str, Any] = json.loads(path.read_text(), parse_float=Decimal)
    ids = {"g-north": str(berlin), "g-south": str(munich)}
    data.update(networkId=str(network_id), twoStepProcess=False)
    data.pop("twoStepRequiredMasterDataFields", None)
    data.pop("uploadedAttachmentId", None)
    for product in data["products"]:
        product["groupId"] = ids[product["groupId"]]
    return data


def build(store: Store, count: int) -> tuple[int, int, int]:
    """The database; (offer, network, group Berlin)."""
    prepare_schema(store, create_if_empty=True)
    row = register_operator(store, OPERATOR, "Benchmark operator")
    started = time.perf_counter()
    with store.transaction(write=True) as connection:
        generate_evses(connection, row.pk, OperatorId.parse(OPERATOR), count)
    network = create_network(store, OPERATOR, "Germany", "All public sites", actor=ACTOR)
    groups = []
    for city in ("Berlin", "München"):
        group = add_group(store, OPERATOR, network.id, city, actor=ACTOR)
        selection = EvseSelection(criteria=NetworkEvseFilter.parse(city=city), assigned=False)
        assign_evses(store, OPERATOR, network.id, GroupRef(id=group.id), selection, actor=ACTOR)
        groups.append(group.id)
    if store.dialect == "postgresql":
        with store.transaction(write=True) as connection:
            connection.execute(text("ANALYZE"))
    body = _offer_body(network.id, groups[0], groups[1])
    request = read_create_offer(body, now=NOW, vat_percent=Decimal(19))
    with store.transaction() as connection:
        in_no_group = connection.execute(
            text("SELECT COUNT(*) FROM evses WHERE id NOT IN (SELECT evse_pk FROM assignments)")
        ).scalar_one()
    offer = offers.create_and_publish(
        store, OPERATOR, request, acknowledge_zero_priced=in_no_group, actor=ACTOR, now=NOW
    )
    register_provider(store, PROVIDER, "Ice charging")
    add_party_user(store, EMAIL, PASSWORD, provider_id=PROVIDER)
    subscriptions.subscribe(
        store, ProviderId.parse(PROVIDER), offer.id, {}, terms_confirmed=True, actor=ACTOR
    )
    print(f"built {count:,} EVSEs, network, offer in {time.perf_counter() - started:.1f} s")
    return offer.id, network.id, groups[0]


def view_ms(client: TestClient, path: str) -> float:
    """The app's own time for one view of `path`."""
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:500]
    return server_ms(answer.headers)


def measure(store: Store, count: int, views: int) -> None:
    offer_id, network_id, berlin = build(store, count)
    group = f"/provider/operators/DEABC/offers/{offer_id}/networks/{network_id}/groups/{berlin}"
    with TestClient(create_app(store)) as client:
        sign_in(client, EMAIL, PASSWORD)
        first = client.get(group)
        total = re.search(r"([0-9,]+) EVSEs · page 1 of ([0-9,]+)", first.text)
        assert total, "the group page shows no count"
        last = int(total.group(2).replace(",", ""))
        print(f"group Berlin: {total.group(1)} EVSEs, {last:,} pages of {PAGE_SIZE}")
        for name, path in (
            ("weekly prices page", "/provider/operators/DEABC"),
            ("group EVSEs, first page", group),
            ("group EVSEs, last page", f"{group}?page={last}"),
        ):
            times = [view_ms(client, path) for _ in range(views)]
            print(
                f"{name}: median {statistics.median(times):.1f} ms server, "
                f"max {max(times):.1f} ms ({views} views)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--evses", type=int, default=200_000)
    parser.add_argument("--views", type=int, default=5)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL instead of SQLite")
    args = parser.parse_args()
    with bench_store(args.postgres, "evsenet_bench_provider") as store:
        measure(store, args.evses, args.views)


if __name__ == "__main__":
    main()
