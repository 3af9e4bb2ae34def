"""NGP tariffs: each component's unit, cost and grace rules, every problem at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsenet.domain.errors import InvalidRecord
from evsenet.domain.tariff import (
    ALLOWED_UNITS,
    ComponentType,
    FeeInitiated,
    ReferenceUnit,
    pricing_component,
    tariff,
)

ENERGY: dict[str, Any] = {"type": "CHARGING_ENERGY", "reference_unit": "KILOWATT_HOUR"}


def problems_of(**values: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRecord) as refused:
        pricing_component(**values)
    return [(p.field, p.code) for p in refused.value.problems]


@pytest.mark.parametrize(
    ("kind", "unit"),
    [
        pytest.param(kind.value, unit.value, id=f"{kind.value}-per-{unit.value}")
        for kind, units in ALLOWED_UNITS.items()
        for unit in sorted(units)
    ],
)
def test_each_component_type_is_accepted_in_its_units(kind: str, unit: str) -> None:
    initiated = "SESSION_START" if kind == "BLOCKING_FEE" else None
    built = pricing_component(
        type=kind, reference_unit=unit, cost=Decimal("0.5"), fee_initiated=initiated
    )
    assert (built.type, built.reference_unit) == (ComponentType(kind), ReferenceUnit(unit))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(
            {**ENERGY, "reference_unit": "MINUTE", "cost": Decimal(1)},
            [("reference_unit", "tariff.reference_unit_not_allowed")],
            id="energy-per-minute",
        ),
        pytest.param(
            {"type": "SESSION", "reference_unit": "HOUR", "cost": Decimal(1)},
            [("reference_unit", "tariff.reference_unit_not_allowed")],
            id="session-per-hour",
        ),
        pytest.param(
            {"type": "IDLE", "reference_unit": "LITRE", "cost": Decimal(1)},
            [
                ("type", "tariff.component_type_unknown"),
                ("reference_unit", "tariff.reference_unit_unknown"),
            ],
            id="unknown-type-and-unit",
        ),
        pytest.param(
            {**ENERGY, "cost": Decimal("-0.01")}, [("cost", "tariff.cost_negative")], id="negative"
        ),
        pytest.param(
            {**ENERGY, "cost": Decimal("0.12345")},
            [("cost", "tariff.cost_too_precise")],
            id="five-decimals",
        ),
        pytest.param(
            {**ENERGY, "cost": Decimal("-0.00001")},
            [("cost", "tariff.cost_negative"), ("cost", "tariff.cost_too_precise")],
            id="negative-and-too-precise",
        ),
        pytest.param(
            {**ENERGY, "cost": Decimal("1e6")}, [("cost", "tariff.cost_too_large")], id="absurd"
        ),
        pytest.param(
            {**ENERGY, "cost": Decimal("NaN")}, [("cost", "tariff.cost_malformed")], id="nan"
        ),
        pytest.param(
            {**ENERGY, "cost": Decimal(1), "grace_minutes": 10},
            [("grace_minutes", "tariff.grace_period_not_allowed")],
            id="grace-on-energy",
        ),
        pytest.param(
            {"type": "PARKING", "reference_unit": "HOUR", "cost": Decimal(1), "grace_minutes": -1},
            [("grace_minutes", "tariff.grace_period_out_of_range")],
            id="negative-grace",
        ),
        pytest.param(
            {"type": "BLOCKING_FEE", "reference_unit": "MINUTE", "cost": Decimal(1)},
            [("fee_initiated", "tariff.fee_initiated_missing")],
            id="blocking-fee-without-start",
        ),
        pytest.param(
            {
                "type": "BLOCKING_FEE",
                "reference_unit": "MINUTE",
                "cost": Decimal(1),
                "fee_initiated": "PLUG_OUT",
            },
            [("fee_initiated", "tariff.fee_initiated_unknown")],
            id="blocking-fee-unknown-start",
        ),
        pytest.param(
            {
                "type": "PARKING",
                "reference_unit": "MINUTE",
                "cost": Decimal(1),
                "fee_initiated": "CHARGING_END",
            },
            [("fee_initiated", "tariff.fee_initiated_not_allowed")],
            id="parking-with-start",
        ),
    ],
)
def test_a_bad_component_is_refused_with_every_problem(
    values: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert problems_of(**values) == expected


def test_a_blocking_fee_keeps_its_grace_and_start() -> None:
    fee = pricing_component(
        type="BLOCKING_FEE",
        reference_unit="HOUR",
        cost=Decimal("6"),
        grace_minutes=240,
        fee_initiated="CHARGING_END",
    )
    assert (fee.grace_minutes, fee.fee_initiated) == (240, FeeInitiated.CHARGING_END)


@given(st.decimals(min_value=0, max_value=100_000, places=4, allow_nan=False))
def test_every_cost_from_zero_with_at_most_four_decimals_is_accepted(cost: Decimal) -> None:
    assert pricing_component(**ENERGY, cost=cost).cost == cost


def test_a_tariff_needs_a_name_a_currency_and_distinct_components() -> None:
    energy = pricing_component(**ENERGY, cost=Decimal("0.5"))
    with pytest.raises(InvalidRecord) as refused:
        tariff(name=" ", currency_code="EURO", components=[energy, energy])
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("name", "tariff.name_missing"),
        ("currency", "currency.unknown"),
        ("components[1].type", "tariff.component_duplicate"),
    ]
    with pytest.raises(InvalidRecord) as empty:
        tariff(name="Day", currency_code="EUR", components=[])
    assert empty.value.code == "tariff.component_missing"


def test_a_tariff_name_is_plain_text_and_compared_without_letter_case() -> None:
    energy = pricing_component(**ENERGY, cost=Decimal("0.5"))
    day = tariff(name="  Tag ", currency_code="eur", components=[energy])
    assert (day.name, day.key, day.currency.code) == ("Tag", "tag", "EUR")
    assert day.component(ComponentType.CHARGING_ENERGY) == energy
    assert day.component(ComponentType.PARKING) is None
    with pytest.raises(InvalidRecord) as refused:
        tariff(name="Day\nNight", currency_code="EUR", components=[energy])
    assert refused.value.code == "tariff.name_control_character"
