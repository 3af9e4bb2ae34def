"""evsenet's compiled pricing kernel (`_kernel.c`); use it through `kernel.py`."""

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from evsenet.domain.pricing.session import Session

def prepare_tariff(
    tariff_id: str,
    currency_code: str,
    quantum_exponent: int,
    min_price: tuple[str | None, str | None] | None,
    max_price: tuple[str | None, str | None] | None,
    micros_of_day: tuple[int, ...],
    durations: tuple[int, ...],
    durations_after_charging: tuple[int, ...],
    kwh_thresholds: tuple[str, ...],
    uses_local_time: bool,
    elements: tuple[tuple[object, ...], ...],
    /,
) -> object: ...
def prepare_zone(
    zone: ZoneInfo, low: int, high: int, offsets: tuple[tuple[int, int], ...], /
) -> object: ...
def price_batch(
    tariff: object, zone: object | None, sessions: Sequence[Session], /
) -> list[tuple[int, ...] | None]: ...
def reads_decimals_in_place() -> bool: ...
