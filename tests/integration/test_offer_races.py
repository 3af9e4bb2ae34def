"""Only one offer-to-all per service type in force, whatever parallel publishes try: the
check runs under the operator's row lock (PostgreSQL) or SQLite's write transaction."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence

import pytest

from evsenet.domain.errors import DomainError
from evsenet.services import offers as svc
from evsenet.store.engine import Store
from evsenet.store.tables import offers
from tests.integration.network_fixtures import ACTOR, A, seed
from tests.integration.offer_fixtures import NOW, network, request

PARALLEL = 8


def _race(store: Store, calls: Sequence[Callable[[], object]]) -> Counter[str]:
    """Run the calls at once (a barrier releases them together); their outcomes."""
    outcomes: Counter[str] = Counter()
    barrier = threading.Barrier(len(calls))
    lock = threading.Lock()

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
            outcome = "published"
        except svc.PublishRefused as refused:
            outcome = ",".join(sorted({p.code for p in refused.problems}))
        except DomainError as error:
            outcome = error.code
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_parallel_publishes_of_overlapping_offers_to_all_on_two_networks_publish_one(
    store: Store,
) -> None:
    seed(store, count=7)
    nets = [network(store), network(store, name="Hamburg", north=0, south=0)]
    drafts = [
        svc.create_offer(
            store,
            A,
            request(
                "create_unlimited_offer_to_all.json",
                nets[n % 2],
                validFrom=f"2027-0{1 + n % 8}-01T00:00:00Z",
            ),
            actor=ACTOR,
            now=NOW,
        ).id
        for n in range(PARALLEL)
    ]
    calls = [
        (
            lambda d=d: svc.publish_offer(
                store, A, d, acknowledge_zero_priced=None, actor=ACTOR, now=NOW
            )
        )
        for d in drafts
    ]
    outcomes = _race(store, calls)
    assert outcomes == {"published": 1, "offer.offer_to_all_overlap": PARALLEL - 1}
    with store.engine.connect() as connection:
        statuses = [row.status for row in connection.execute(offers.select())]
    assert Counter(statuses) == {"published": 1, "draft": PARALLEL - 1}


@pytest.mark.parametrize("parallel", [PARALLEL])
def test_parallel_hubject_creates_publish_exactly_one(store: Store, parallel: int) -> None:
    seed(store, count=7)
    net = network(store)
    sent = request("create_unlimited_offer_to_all.json", net)
    calls = [
        (
            lambda: svc.create_and_publish(
                store, A, sent, acknowledge_zero_priced=None, actor=ACTOR, now=NOW
            )
        )
        for _ in range(parallel)
    ]
    outcomes = _race(store, calls)
    assert outcomes == {"published": 1, "offer.offer_to_all_overlap": parallel - 1}
    with store.engine.connect() as connection:
        assert [row.status for row in connection.execute(offers.select())] == ["published"]
