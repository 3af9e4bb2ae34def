"""The pricing simulator on a network of 100,000 EVSEs: server time of the page, of an EVSE
search and of one simulation.

    .venv/bin/python benchmarks/bench_simulator.py [--evses 100000] [--runs 5]

One operator with `--evses` EVSEs (set-based SQL, `evsenet.store.synthetic`), all of them
in a network's two groups (Berlin in North, every other city in South), and a draft offer
pricing both groups (Hubject's unlimited offer-to-all example of `tests/fixtures`). Then,
through the real app signed in through its form: GET /offers/{id}/simulator (the form
with the first 50 EVSE choices and the network's count), GET
…/simulator/evses?city=Köln&q=12 (the htmx search: IDs containing 12 in Köln), and POST
…/simulator (htmx) pricing a 30 kWh session from Tuesday 21:00 with 90 minutes charging
and 30 minutes idle. Server time is the app's `Server-Timing`.
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

from evsenet.api import create_app
from evsenet.benchmarking import bench_store, csrf_token, server_ms, sign_in
from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor, GroupRef
from evsenet.domain.network_lists import EvseSelection, NetworkEvseFilter
from evsenet.formats.hubject_offer import read_create_offer
from evsenet.services.networks import add_group, assign_evses, create_network
from evsenet.services.offers import create_offer
from evsenet.services.operators import register_operator
from evsenet.services.schema import prepare_schema
from evsenet.services.users import add_user
from evsenet.store.engine import Store
from evsenet.store.synthetic import generate_evses

ROOT = Path(__file__).resolve().parents[1]
OFFER = ROOT / "tests" / "fixtures" / "hubject" / "create_unlimited_offer_to_all.json"
OPERATOR = "DE*ABC"
EMAIL = "bench@abc.example"
PASSWORD = "benchmark password"
ACTOR = Actor.system()
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
TOTAL = re.compile(r'data-total="excl">([^<]+)<')
SESSION = {
    "evse_id": "DE*ABC*E1",
    "provider_id": "DE*EMP",
    "date": "2027-01-05",
    "start_time": "21:00",
    "charging_minutes": "90",
    "energy_kwh": "30",
    "idle_minutes": "30",
}


def build(store: Store, count: int) -> int:
    """EVSEs, a network whose two groups hold them all, a draft offer; the offer's id."""
    prepare_schema(store, create_if_empty=True)
    row = register_operator(store, OPERATOR, "Benchmark operator")
    add_user(store, OPERATOR, EMAIL, PASSWORD)
    started = time.perf_counter()
    with store.transaction(write=True) as connection:
        generate_evses(connection, row.pk, OperatorId.parse(OPERATOR), count)
    network = create_network(store, OPERATOR, "Germany", "All public sites", actor=ACTOR)
    north = add_group(store, OPERATOR, network.id, "North", actor=ACTOR)
    south = add_group(store, OPERATOR, network.id, "South", actor=ACTOR)
    for group, criteria in (
        (north, NetworkEvseFilter.parse(city="Berlin")),
        (south, NetworkEvseFilter()),
    ):
        selection = EvseSelection(criteria=criteria, assigned=False)
        assign_evses(store, OPERATOR, network.id, GroupRef(id=group.id), selection, actor=ACTOR)
    body: dict[str, Any] = json.loads(OFFER.read_text(), parse_float=Decimal)
    body["networkId"] = str(network.id)
    body.pop("uploadedAttachmentId", None)
    groups = {"g-north": str(north.id), "g-south": str(south.id)}
    for product in body["products"]:
        product["groupId"] = groups[product["groupId"]]
    offer = create_offer(
        store,
        OPERATOR,
        read_create_offer(body, now=NOW, vat_percent=Decimal(19)),
        actor=ACTOR,
        now=NOW,
    )
    print(
        f"built {count:,} EVSEs in two groups and a draft in {time.perf_counter() - started:.1f} s"
    )
    return offer.id


def report(name: str, times: list[float]) -> None:
    print(
        f"{name}: first {times[0]:.1f} ms server, then median "
        f"{statistics.median(times[1:]):.1f} ms, max {max(times[1:]):.1f} ms"
    )


def measure(store: Store, count: int, runs: int) -> None:
    offer_id = build(store, count)
    base = f"/offers/{offer_id}/simulator"
    with TestClient(create_app(store)) as client:
        sign_in(client, EMAIL, PASSWORD)
        token = csrf_token(client.get("/networks").text)
        headers = {"X-CSRF-Token": token, "HX-Request": "true"}
        pages, searches, simulations = [], [], []
        for _ in range(runs + 1):
            page = client.get(base)
            assert page.status_code == 200, page.text[:300]
            pages.append(server_ms(dict(page.headers)))
            found = client.get(f"{base}/evses", params={"city": "Köln", "q": "12"}, headers=headers)
            assert found.status_code == 200, found.text[:300]
            searches.append(server_ms(dict(found.headers)))
            answer = client.post(base, data=SESSION, headers=headers)
            assert answer.status_code == 200, answer.text[:300]
            simulations.append(server_ms(dict(answer.headers)))
        total = TOTAL.search(answer.text)
        print(f"the simulated session costs {total.group(1) if total else '?'} excl. VAT")
        report("simulator page", pages)
        report("EVSE search (Köln, ID containing 12)", searches)
        report("one simulation (htmx)", simulations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with bench_store(None, "evsenet_bench_simulator") as store:
        measure(store, args.evses, args.runs)


if __name__ == "__main__":
    main()
