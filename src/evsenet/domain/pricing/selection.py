"""Which of several tariffs prices a session: the one in force when the session starts.

A driver accepts the tariff valid when they start (OCPI 2.2.1 §11.3.1, the note on
start_date_time and end_date_time; pricing-scenario 23), so a tariff that ends during the
session still prices all of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from evsenet.domain.errors import DomainError
from evsenet.domain.pricing.breakdown import PriceBreakdown
from evsenet.domain.pricing.compiled import compile_tariff
from evsenet.domain.pricing.engine import price_session
from evsenet.domain.pricing.session import Session
from evsenet.domain.pricing.tariff import Tariff


def tariff_in_force(tariffs: Sequence[Tariff], session_start: datetime) -> Tariff:
    """The first of `tariffs` in force at `session_start`.

    Raises `DomainError` `tariff.none_in_force` when none is (or none is given).
    """
    for tariff in tariffs:
        if tariff.in_force_at(session_start):
            return tariff
    names = ", ".join(tariff.id for tariff in tariffs) or "none given"
    raise DomainError(
        "tariff.none_in_force",
        f"No tariff is in force at the session start {session_start.isoformat()} ({names})",
        field="tariffs",
    )


def price_in_force(tariffs: Sequence[Tariff], session: Session) -> PriceBreakdown:
    """Price `session` under the first of `tariffs` in force at its start (scenario 23)."""
    return price_session(compile_tariff(tariff_in_force(tariffs, session.start)), session)
