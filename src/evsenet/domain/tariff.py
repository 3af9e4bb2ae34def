"""NGP tariffs: a named set of pricing components in one currency.

The model is Hubject's Next Generation Pricing (NGP-API.md):

| component         | reference unit        | grace minutes | counted from                     |
| ----------------- | --------------------- | ------------- | -------------------------------- |
| `CHARGING_ENERGY` | `KILOWATT_HOUR`       | no            | —                                |
| `CHARGING_TIME`   | `MINUTE` or `HOUR`    | no            | —                                |
| `PARKING`         | `MINUTE` or `HOUR`    | optional      | —                                |
| `SESSION`         | `NONE` (a flat fee)   | no            | —                                |
| `BLOCKING_FEE`    | `MINUTE` or `HOUR`    | optional      | `SESSION_START` or `CHARGING_END` |

A tariff has at least one component and each type at most once. Costs are net prices,
`Decimal`, at least 0 and with at most `COST_DECIMALS` decimals. Tariff names are plain
text; two names are the same name when they differ only in letter case (`name_key`), so
that a schedule slot naming `peak` finds the tariff `Peak` and an offer cannot hold both.

Builders (`pricing_component`, `tariff`) check every rule at once and raise
`InvalidRecord` listing each problem with its field, relative to the object built
(`cost`, `components[2].type`): a format prefixes its own path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from evsenet.domain.errors import DomainError, FieldProblem, InvalidRecord
from evsenet.domain.money import Currency, currency
from evsenet.domain.text import PlainText, search_key

COST_DECIMALS = 4
"""Decimals a component's cost may carry (Hubject shows costs with up to 3; we keep 4)."""
MAX_COST = Decimal("100000")
"""An upper bound that no real unit price reaches; a larger cost is a typing error."""
MAX_GRACE_MINUTES = 1440
"""A grace period longer than a day is no grace period."""
TARIFF_NAME_LIMIT = 100
E = TypeVar("E", bound=StrEnum)

TARIFF_NAME = PlainText(
    "Tariff name", TARIFF_NAME_LIMIT, "tariff.name_too_long", "tariff.name_control_character"
)


class ComponentType(StrEnum):
    """What a pricing component charges for."""

    CHARGING_ENERGY = "CHARGING_ENERGY"
    CHARGING_TIME = "CHARGING_TIME"
    PARKING = "PARKING"
    SESSION = "SESSION"
    BLOCKING_FEE = "BLOCKING_FEE"


class ReferenceUnit(StrEnum):
    """The unit a component's cost is quoted per."""

    KILOWATT_HOUR = "KILOWATT_HOUR"
    MINUTE = "MINUTE"
    HOUR = "HOUR"
    NONE = "NONE"


class FeeInitiated(StrEnum):
    """When a blocking fee starts counting (Hubject's `FeeInitiated`)."""

    SESSION_START = "SESSION_START"
    CHARGING_END = "CHARGING_END"


ALLOWED_UNITS: dict[ComponentType, frozenset[ReferenceUnit]] = {
    ComponentType.CHARGING_ENERGY: frozenset({ReferenceUnit.KILOWATT_HOUR}),
    ComponentType.CHARGING_TIME: frozenset({ReferenceUnit.MINUTE, ReferenceUnit.HOUR}),
    ComponentType.PARKING: frozenset({ReferenceUnit.MINUTE, ReferenceUnit.HOUR}),
    ComponentType.SESSION: frozenset({ReferenceUnit.NONE}),
    ComponentType.BLOCKING_FEE: frozenset({ReferenceUnit.MINUTE, ReferenceUnit.HOUR}),
}
"""The reference units each component type may be quoted in."""
WITH_GRACE = frozenset({ComponentType.PARKING, ComponentType.BLOCKING_FEE})
"""Component types that may start after a grace period."""


@dataclass(frozen=True, slots=True)
class PricingComponent:
    """One priced dimension of a tariff: `cost` (net) per `reference_unit`."""

    type: ComponentType
    reference_unit: ReferenceUnit
    cost: Decimal
    grace_minutes: int | None = None
    """Minutes free of charge before a PARKING or BLOCKING_FEE component counts."""
    fee_initiated: FeeInitiated | None = None
    """From when a BLOCKING_FEE counts; None for every other type."""


@dataclass(frozen=True, slots=True)
class Tariff:
    """A named tariff in one currency with one component per type at most."""

    name: str
    currency: Currency
    components: tuple[PricingComponent, ...]

    @property
    def key(self) -> str:
        """The name as names are compared (letter case ignored)."""
        return name_key(self.name)

    def component(self, kind: ComponentType) -> PricingComponent | None:
        """The component of type `kind`, or None when the tariff does not charge it."""
        return next((c for c in self.components if c.type is kind), None)


def name_key(name: str) -> str:
    """How tariff names are compared: trimmed, letter case ignored (Unicode case folding)."""
    return search_key(name.strip())


def _enum(kind: type[E], value: object, field: str, code: str, label: str) -> E:
    if isinstance(value, str) and value in kind._value2member_map_:
        return kind(value)
    allowed = ", ".join(member.value for member in kind)
    raise DomainError(code, f"{label} {value!r} is not one of {allowed}", field=field)


def pricing_component(
    *,
    type: str,
    reference_unit: str,
    cost: Decimal,
    grace_minutes: int | None = None,
    fee_initiated: str | None = None,
) -> PricingComponent:
    """A component from its raw values, every rule checked; raises `InvalidRecord`."""
    problems: list[FieldProblem] = []
    kind = unit = initiated = None
    try:
        kind = _enum(ComponentType, type, "type", "tariff.component_type_unknown", "Type")
    except DomainError as error:
        problems.append(_problem(error))
    try:
        unit = _enum(
            ReferenceUnit,
            reference_unit,
            "reference_unit",
            "tariff.reference_unit_unknown",
            "Reference unit",
        )
    except DomainError as error:
        problems.append(_problem(error))
    if kind is not None and unit is not None and unit not in ALLOWED_UNITS[kind]:
        allowed = " or ".join(sorted(u.value for u in ALLOWED_UNITS[kind]))
        problems.append(
            FieldProblem(
                "reference_unit",
                "tariff.reference_unit_not_allowed",
                f"A {kind.value} component is priced per {allowed}, not per {unit.value}",
            )
        )
    problems.extend(_cost_problems(cost))
    if grace_minutes is not None:
        if kind is not None and kind not in WITH_GRACE:
            problems.append(
                FieldProblem(
                    "grace_minutes",
                    "tariff.grace_period_not_allowed",
                    f"A {kind.value} component has no grace period; only PARKING and "
                    "BLOCKING_FEE have one",
                )
            )
        elif not 0 <= grace_minutes <= MAX_GRACE_MINUTES:
            problems.append(
                FieldProblem(
                    "grace_minutes",
                    "tariff.grace_period_out_of_range",
                    f"A grace period of {grace_minutes} minutes is outside 0…{MAX_GRACE_MINUTES}",
                )
            )
    if kind is ComponentType.BLOCKING_FEE:
        if fee_initiated is None:
            problems.append(
                FieldProblem(
                    "fee_initiated",
                    "tariff.fee_initiated_missing",
                    "A BLOCKING_FEE needs to say when it starts counting: SESSION_START or "
                    "CHARGING_END",
                )
            )
        else:
            try:
                initiated = _enum(
                    FeeInitiated,
                    fee_initiated,
                    "fee_initiated",
                    "tariff.fee_initiated_unknown",
                    "Fee start",
                )
            except DomainError as error:
                problems.append(_problem(error))
    elif fee_initiated is not None and kind is not None:
        problems.append(
            FieldProblem(
                "fee_initiated",
                "tariff.fee_initiated_not_allowed",
                f"Only a BLOCKING_FEE starts counting at an event; a {kind.value} component "
                "does not",
            )
        )
    if problems:
        raise InvalidRecord(problems)
    assert kind is not None
    assert unit is not None
    return PricingComponent(kind, unit, cost, grace_minutes, initiated)


def _cost_problems(cost: Decimal) -> list[FieldProblem]:
    if not isinstance(cost, Decimal) or not cost.is_finite():
        return [FieldProblem("cost", "tariff.cost_malformed", f"Cost {cost!r} is not a number")]
    problems = []
    if cost < 0:
        problems.append(
            FieldProblem("cost", "tariff.cost_negative", f"Cost {cost} is negative; prices are ≥ 0")
        )
    elif cost > MAX_COST:
        problems.append(
            FieldProblem("cost", "tariff.cost_too_large", f"Cost {cost} is above {MAX_COST}")
        )
    exponent = cost.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > COST_DECIMALS:
        problems.append(
            FieldProblem(
                "cost",
                "tariff.cost_too_precise",
                f"Cost {cost} has {-exponent} decimals; at most {COST_DECIMALS} are allowed",
            )
        )
    return problems


def tariff(*, name: str, currency_code: str, components: Sequence[PricingComponent]) -> Tariff:
    """A tariff from a name, a currency code and its built components; raises
    `InvalidRecord` listing every problem (`name`, `currency`, `components[i].type`)."""
    problems: list[FieldProblem] = []
    text = ""
    try:
        text = TARIFF_NAME(name)
        if not text:
            problems.append(FieldProblem("name", "tariff.name_missing", "A tariff needs a name"))
    except DomainError as error:
        problems.append(FieldProblem("name", error.code, error.message))
    money: Currency | None = None
    try:
        money = currency(currency_code)
    except DomainError as error:
        problems.append(FieldProblem("currency", error.code, error.message))
    problems.extend(component_set_problems(components))
    if problems:
        raise InvalidRecord(problems)
    assert money is not None
    return Tariff(text, money, tuple(components))


def component_set_problems(components: Iterable[PricingComponent]) -> list[FieldProblem]:
    """The problems of a tariff's component list: none at all, or a type twice."""
    listed = list(components)
    if not listed:
        return [
            FieldProblem(
                "components",
                "tariff.component_missing",
                "A tariff needs at least one pricing component",
            )
        ]
    problems = []
    seen: set[ComponentType] = set()
    for index, component in enumerate(listed):
        if component.type in seen:
            problems.append(
                FieldProblem(
                    f"components[{index}].type",
                    "tariff.component_duplicate",
                    f"The tariff has a {component.type.value} component twice; each type "
                    "may appear once",
                )
            )
        seen.add(component.type)
    return problems


def _problem(error: DomainError) -> FieldProblem:
    return FieldProblem(error.field or "", error.code, error.message)
