"""docs/error-codes.md lists every error code the source raises."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "evsenet"
CODE = re.compile(r'"([a-z_]+(?:\.[a-z_]+)+)"')
NOT_CODES = {
    "operators.id",
    "evses.id",
    "networks.id",
    "evse_groups.id",
    "evse_groups.network_pk",
    "offers.id",
    "sqlalchemy.url",
    "evsenet.api",
    "evsenet.sqlite",
    "zone.tab",
    "attachment.pdf",
}
"""Dotted strings of the source that are no error codes: foreign keys, a configuration
key, a logger and file names."""
NEVER_SENT = {"domain.error"}
"""The base class's default; every refusal names its own code."""
TEXT_FIELDS = ("charging_station_id", "city", "postal_code", "street", "house_number")


def _raised_codes() -> set[str]:
    codes = set()
    for path in SOURCE.rglob("*.py"):
        codes.update(CODE.findall(path.read_text(encoding="utf-8")))
    return codes - NOT_CODES - NEVER_SENT


def _composed_codes() -> set[str]:
    """Codes the source composes from a field name (`f"{name}.too_long"`)."""
    composed = {
        f"{field}.{kind}" for field in TEXT_FIELDS for kind in ("too_long", "control_character")
    }
    composed |= {f"{field}.missing" for field in ("charging_station_id", "city", "street")}
    composed |= {
        f"{n}.{k}" for n in ("latitude", "longitude", "output") for k in ("missing", "malformed")
    }
    composed |= {f"{kind}.unknown_country" for kind in ("operator_id", "provider_id", "evse_id")}
    return composed


def test_every_error_code_is_documented() -> None:
    documented = set(
        re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", (ROOT / "docs" / "error-codes.md").read_text())
    )
    missing = (_raised_codes() | _composed_codes()) - documented
    assert not missing, f"add these codes to docs/error-codes.md: {sorted(missing)}"


def test_the_scan_finds_codes() -> None:
    assert {"evse_id.malformed", "batch.rejected", "sub_operator.taken"} <= _raised_codes()
