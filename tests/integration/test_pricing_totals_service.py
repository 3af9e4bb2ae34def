"""`price_sessions` with totals only, on SQLite and PostgreSQL: the C kernel prices each
chunk's sessions per compiled tariff, to the itemised path's totals, warnings and
refusals (operator A's network Berlin, as `test_pricing_service`)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from evsenet.domain.pricing.kernel import kernel_rows
from evsenet.domain.pricing.ngp_session import engine_session
from evsenet.domain.pricing.priced_session import SessionPrice, SessionRequest
from evsenet.formats.price_sessions import parse_session
from evsenet.services.pricing import PricingCache, PricingRefusal, price_sessions
from evsenet.store.engine import Store
from tests.integration.mixed_sessions import mixed_sessions, publish_kernel_offer
from tests.integration.network_fixtures import A
from tests.integration.offer_fixtures import Net
from tests.integration.test_pricing_service import net

__all__ = ["net"]
BERLIN = ZoneInfo("Europe/Berlin")


def test_totals_only_answers_what_the_itemised_path_answers_without_lines(
    store: Store, net: Net
) -> None:
    bilateral = publish_kernel_offer(store, net)
    requests = _requests(mixed_sessions(1100))
    itemised = list(price_sessions(store, A, requests))
    cache = PricingCache(totals_only=True)
    totals = list(price_sessions(store, A, requests, cache=cache, first_index=7))
    assert len(totals) == len(itemised) == 1100
    for position, (fast, slow) in enumerate(zip(totals, itemised, strict=True)):
        if isinstance(slow, PricingRefusal):
            assert isinstance(fast, PricingRefusal)
            assert (fast.index, fast.id) == (position + 7, slow.id)
            assert (fast.error.code, fast.error.message) == (slow.error.code, slow.error.message)
        else:
            assert isinstance(fast, SessionPrice)
            assert fast.lines == ()
            assert fast == replace(slow, lines=())
    declined = {p.compiled.tariff.id: p.declined for p in cache.kernel.values()}
    # The offer-to-all parks after a grace period (evsenet's after-charging extension):
    # the kernel takes it too.
    assert declined == {
        f"offer-1-group-{net.north}": None,
        f"offer-1-group-{net.south}": None,
        f"offer-{bilateral}-group-{net.north}": None,
        f"offer-{bilateral}-group-{net.south}": None,
    }


def test_the_kernel_decides_most_sessions_of_the_batch(store: Store, net: Net) -> None:
    """Totals only is the kernel's work where the kernel takes the tariff."""
    bilateral = publish_kernel_offer(store, net)
    requests = _requests(mixed_sessions(300, seed=1))
    cache = PricingCache(totals_only=True)
    answers = list(price_sessions(store, A, requests, cache=cache))
    priced = [
        engine_session(request.session, BERLIN)[0]
        for request, answer in zip(requests, answers, strict=True)
        if isinstance(answer, SessionPrice) and answer.offer_id == bilateral
        if answer.group_id == net.north
    ]
    north = next(
        p
        for p in cache.kernel.values()
        if p.compiled.tariff.id == f"offer-{bilateral}-group-{net.north}"
    )
    rows = kernel_rows(north, priced)
    assert len(priced) > 50
    assert sum(row is not None for row in rows) > 0.9 * len(priced)


def _requests(sessions: list[dict[str, Any]]) -> list[SessionRequest]:
    """The sessions as the API reads them."""
    return [parse_session(json.dumps(session)) for session in sessions]
