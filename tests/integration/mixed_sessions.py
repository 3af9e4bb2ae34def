"""A mixed file of sessions for operator A's network Berlin (`offer_fixtures`): priced in
both groups at all hours and days, across the DST change, parking and idle time, zero
priced (E8–E10 in no group), and refused (unknown EVSE, bad volumes, charging outside the
session, before any offer). The same sessions every run.

Sessions are for DE*EMP or DE*ICE. `publish_kernel_offer` gives DE*EMP a bilateral offer
without parking after a grace period (evsenet's after-charging extension, which the
offer-to-all has): the C kernel takes both.
"""

from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from evsenet.services import offers as offer_svc
from evsenet.store.engine import Store
from tests.integration.network_fixtures import ACTOR, A
from tests.integration.offer_fixtures import NOW, Net, raw, request

BERLIN = ZoneInfo("Europe/Berlin")
UNLIMITED = "create_unlimited_offer_to_all.json"
KERNEL_PROVIDER = "DE*EMP"
REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"evse_id": "DE*ABC*E999"}, "evse.not_found"),
    ({"energy_kwh": -3}, "session.volume_negative"),
    (
        {"session_start": "2026-12-01T10:00:00+01:00", "session_end": "2026-12-01T11:00:00+01:00"},
        "pricing.no_offer_in_force",
    ),
    ({"meter_start_kwh": 10}, "session.meter_incomplete"),
]
"""A change to a priced session that makes it refused, and the refusal's code."""


def _session(rng: random.Random, number: int) -> dict[str, Any]:
    start = datetime(2027, 1, 1, tzinfo=BERLIN) + timedelta(
        days=rng.choice([rng.randrange(0, 400), rng.randrange(80, 90)]),
        minutes=rng.randrange(0, 24 * 60),
        seconds=rng.randrange(0, 60),
    )
    length = timedelta(minutes=rng.choice([1, 15, 59, 61, 90, 150, 600, 1500]))
    end = start + length
    session: dict[str, Any] = {
        "id": f"m-{number}",
        "evse_id": f"DE*ABC*E{rng.randrange(1, 11)}",
        "provider_id": rng.choice([KERNEL_PROVIDER, KERNEL_PROVIDER, "DE*ICE"]),
        "session_start": start.isoformat(),
        "session_end": end.isoformat(),
        "energy_kwh": rng.choice([0, 1, 7.5, 30, 42.123, 80.0001]),
    }
    if rng.random() < 0.7:
        charging_end = start + length * rng.choice([1, 0.5, 0.9])
        session["charging_start"] = start.isoformat()
        session["charging_end"] = charging_end.isoformat()
    if rng.random() < 0.1:
        session["charging_end"] = (end + timedelta(minutes=5)).isoformat()
        session["charging_start"] = start.isoformat()
    return session


def mixed_sessions(count: int, seed: int = 9) -> list[dict[str, Any]]:
    """`count` sessions, about one in ten refused (some are zero priced)."""
    rng = random.Random(seed)
    sessions = []
    for number in range(count):
        session = _session(rng, number)
        if rng.random() < 0.06:
            change, _ = rng.choice(REFUSALS)
            session |= change
        sessions.append(session)
    return sessions


def without_lines(answer: dict[str, Any]) -> dict[str, Any]:
    """An itemised answer line as its totals-only twin reads."""
    if "price" not in answer:
        return answer
    price = {key: value for key, value in answer["price"].items() if key != "lines"}
    return answer | {"price": price}


def publish_kernel_offer(store: Store, net: Net) -> int:
    """A bilateral offer for DE*EMP (published, in force with the offer-to-all): Day is
    energy, parking from charging end (no grace), a per-minute charging time, a session
    fee and a blocking fee after 3 h from session start; Night is energy."""
    data = copy.deepcopy(raw(UNLIMITED))
    day = data["tariffs"][0]["pricingComponents"]
    day[1]["gracePeriod"] = 0
    day.append({"type": "CHARGING_TIME", "referenceUnit": "MINUTE", "cost": Decimal("0.013")})
    day.append(
        {
            "type": "BLOCKING_FEE",
            "referenceUnit": "HOUR",
            "cost": Decimal("6"),
            "gracePeriod": 180,
            "feeInitiated": "SESSION_START",
        }
    )
    changes = {
        "offerToAll": False,
        "subscriberPartnerIds": [KERNEL_PROVIDER],
        "twoStepProcess": False,
        "twoStepRequiredMasterDataFields": None,
        "tariffs": data["tariffs"],
    }
    published = offer_svc.create_and_publish(
        store,
        A,
        request(UNLIMITED, net, **changes),
        acknowledge_zero_priced=3,
        actor=ACTOR,
        now=NOW,
    )
    return published.id
