"""OCPI 2.2.1 Tariff objects (module Tariffs, §11.3.1) in and out.

Reading is strict (see `_reader`): every field of a tariff, element, price component,
restriction and price is checked; an unknown key is a problem with its JSON path. The
evsenet extension restrictions (`evsenet_min_duration_after_charging`,
`evsenet_max_duration_after_charging`) are read only when `extensions=True`.

Writing produces an OCPI 2.2.1 Tariff object. What OCPI 2.2.1 cannot say is never written
silently: an element using evsenet's extension is written with the `evsenet_` keys and a
note that says so, and a time of day with seconds refuses (`ocpi.not_expressible`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from evsenet.domain.errors import DomainError
from evsenet.domain.money import currency
from evsenet.domain.pricing import (
    DayOfWeek,
    DisplayText,
    PriceBound,
    PriceComponent,
    PricingWarning,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffDimension,
    TariffElement,
    TariffType,
)
from evsenet.formats.ocpi._reader import FIELD_MISSING, Reader, load_json

EXTENSION_KEYS = {
    "evsenet_min_duration_after_charging": "min_duration_after_charging",
    "evsenet_max_duration_after_charging": "max_duration_after_charging",
}
NOT_EXPRESSIBLE = "ocpi.not_expressible"

TARIFF_FIELDS = {
    "country_code",
    "party_id",
    "id",
    "currency",
    "type",
    "tariff_alt_text",
    "tariff_alt_url",
    "min_price",
    "max_price",
    "elements",
    "start_date_time",
    "end_date_time",
    "energy_mix",
    "last_updated",
}
ELEMENT_FIELDS = {"price_components", "restrictions"}
COMPONENT_FIELDS = {"type", "price", "vat", "step_size"}
RESTRICTION_FIELDS = {
    "start_time",
    "end_time",
    "start_date",
    "end_date",
    "min_kwh",
    "max_kwh",
    "min_current",
    "max_current",
    "min_power",
    "max_power",
    "min_duration",
    "max_duration",
    "day_of_week",
    "reservation",
}
PRICE_FIELDS = {"excl_vat", "incl_vat"}
DISPLAY_TEXT_FIELDS = {"language", "text"}
ENERGY_MIX_FIELDS = {
    "is_green_energy",
    "energy_sources",
    "environ_impact",
    "supplier_name",
    "energy_product_name",
}


@dataclass(frozen=True, slots=True)
class OcpiTariff:
    """A parsed tariff and what the reader noticed without refusing it."""

    tariff: Tariff
    warnings: tuple[PricingWarning, ...]


@dataclass(frozen=True, slots=True)
class OcpiTariffExport:
    """An OCPI Tariff object (Decimals kept exact) and notes on what OCPI cannot say."""

    body: dict[str, Any]
    notes: tuple[str, ...]


def read_price(reader: Reader, value: object, path: str) -> PriceBound | None:
    """An OCPI Price as a min/max bound; a gross-only price is read with a warning."""
    data = reader.object(value, path, known=PRICE_FIELDS)
    if data is None:
        return None
    excl = reader.number(data, "excl_vat", path)
    incl = reader.number(data, "incl_vat", path)
    if excl is None and incl is not None:
        reader.warn(
            f"{path}.excl_vat",
            "ocpi.price_gross_only",
            f"{path} has no excl_vat (OCPI 2.2.1 requires it); it is compared on incl_vat",
        )
    elif excl is None:
        reader.problem(f"{path}.excl_vat", FIELD_MISSING, f"{path}.excl_vat is required")
        return None
    return reader.guarded(path, lambda: PriceBound(excl_vat=excl, incl_vat=incl))


def _component(reader: Reader, value: object, path: str) -> PriceComponent | None:
    data = reader.object(
        value, path, known=COMPONENT_FIELDS, required=("type", "price", "step_size")
    )
    if data is None:
        return None
    kind = reader.choice(data, "type", path, TariffDimension)
    price = reader.number(data, "price", path)
    vat = reader.number(data, "vat", path)
    step = reader.integer(data, "step_size", path)
    if kind is None or price is None or step is None:
        return None
    return reader.guarded(
        path, lambda: PriceComponent(dimension=kind, price=price, vat=vat, step_size=step)
    )


def _restrictions(
    reader: Reader, value: object, path: str, extensions: bool
) -> Restrictions | None:
    known = RESTRICTION_FIELDS | (set(EXTENSION_KEYS) if extensions else set())
    data = reader.object(value, path, known=known)
    if data is None:
        return None
    days: set[DayOfWeek] = set()
    for index, day in enumerate(reader.items(data, "day_of_week", path)):
        parsed = reader.choice({"day": day}, "day", f"{path}.day_of_week[{index}]", DayOfWeek)
        if parsed is not None:
            days.add(parsed)
    values: dict[str, Any] = {
        "start_time": reader.time_of_day(data, "start_time", path),
        "end_time": reader.time_of_day(data, "end_time", path),
        "start_date": reader.day(data, "start_date", path),
        "end_date": reader.day(data, "end_date", path),
        "day_of_week": frozenset(days),
        "reservation": reader.choice(data, "reservation", path, ReservationRestriction),
    }
    for name in ("min_kwh", "max_kwh", "min_current", "max_current", "min_power", "max_power"):
        values[name] = reader.number(data, name, path)
    for name in ("min_duration", "max_duration"):
        values[name] = reader.integer(data, name, path)
    for key, name in EXTENSION_KEYS.items():
        if extensions:
            values[name] = reader.integer(data, key, path)
    return reader.guarded(path, lambda: Restrictions(**values))


def _element(reader: Reader, value: object, path: str, extensions: bool) -> TariffElement | None:
    data = reader.object(value, path, known=ELEMENT_FIELDS, required=("price_components",))
    if data is None:
        return None
    components = [
        _component(reader, item, f"{path}.price_components[{index}]")
        for index, item in enumerate(reader.items(data, "price_components", path))
    ]
    restrictions = (
        _restrictions(reader, data["restrictions"], f"{path}.restrictions", extensions)
        if data.get("restrictions") is not None
        else Restrictions()
    )
    if restrictions is None or any(component is None for component in components):
        return None
    return reader.guarded(
        path,
        lambda: TariffElement(
            components=tuple(c for c in components if c is not None), restrictions=restrictions
        ),
    )


def read_tariff_object(
    reader: Reader, value: object, path: str, *, extensions: bool = False
) -> Tariff | None:
    """A Tariff object at `path` (problems and warnings go to `reader`)."""
    data = reader.object(
        value,
        path,
        known=TARIFF_FIELDS,
        required=("country_code", "party_id", "id", "currency", "elements"),
    )
    if data is None:
        return None
    if data.get("last_updated") is None:
        reader.warn(
            f"{path}.last_updated",
            "ocpi.last_updated_missing",
            f"{path}.last_updated is missing (OCPI 2.2.1 requires it; the spec's own PUT "
            "example omits it); the tariff is read without it",
        )
    alt_text = []
    for index, item in enumerate(reader.items(data, "tariff_alt_text", path)):
        where = f"{path}.tariff_alt_text[{index}]"
        entry = reader.object(item, where, known=DISPLAY_TEXT_FIELDS, strict=False)
        if entry is not None:
            alt_text.append(
                DisplayText(
                    language=reader.text(entry, "language", where) or "",
                    text=reader.text(entry, "text", where) or "",
                )
            )
    if data.get("energy_mix") is not None:
        reader.object(
            data["energy_mix"], f"{path}.energy_mix", known=ENERGY_MIX_FIELDS, strict=False
        )
        reader.warn(
            f"{path}.energy_mix",
            "ocpi.energy_mix_ignored",
            "energy_mix does not change a price; it is not kept",
        )
    elements = [
        _element(reader, item, f"{path}.elements[{index}]", extensions)
        for index, item in enumerate(reader.items(data, "elements", path))
    ]
    code = reader.text(data, "currency", path)
    the_currency = None if code is None else reader.guarded(path, lambda: currency(code))
    min_price = (
        read_price(reader, data["min_price"], f"{path}.min_price")
        if data.get("min_price") is not None
        else None
    )
    max_price = (
        read_price(reader, data["max_price"], f"{path}.max_price")
        if data.get("max_price") is not None
        else None
    )
    tariff_id = reader.text(data, "id", path, 36)
    country_code = reader.text(data, "country_code", path, 2)
    party_id = reader.text(data, "party_id", path, 3)
    tariff_type = reader.choice(data, "type", path, TariffType)
    alt_url = reader.text(data, "tariff_alt_url", path)
    start = reader.instant(data, "start_date_time", path)
    end = reader.instant(data, "end_date_time", path)
    last_updated = reader.instant(data, "last_updated", path)
    if reader.problems or the_currency is None or any(e is None for e in elements):
        return None
    return reader.guarded(
        path,
        lambda: Tariff(
            currency=the_currency,
            elements=tuple(e for e in elements if e is not None),
            alt_text=tuple(alt_text),
            min_price=min_price,
            max_price=max_price,
            id=tariff_id or "",
            country_code=country_code or "",
            party_id=party_id or "",
            type=tariff_type,
            alt_url=alt_url,
            start=start,
            end=end,
            last_updated=last_updated,
        ),
    )


def read_tariff(text: str | bytes, *, extensions: bool = False) -> OcpiTariff:
    """An OCPI 2.2.1 Tariff JSON document, strictly.

    Raises `InvalidRecord` listing every problem (each with its JSON path as `field`), or
    `DomainError` `ocpi.json_malformed`.
    """
    reader = Reader()
    tariff = read_tariff_object(reader, load_json(text, "tariff"), "$", extensions=extensions)
    reader.finish()
    assert tariff is not None
    return OcpiTariff(tariff, tuple(reader.warnings))


def _hhmm(moment: time, where: str) -> str:
    if moment.second or moment.microsecond:
        raise DomainError(
            NOT_EXPRESSIBLE,
            f"{where} {moment.isoformat()} has seconds; OCPI 2.2.1 times are HH:MM",
            field=where,
        )
    return moment.strftime("%H:%M")


def _restrictions_body(r: Restrictions, where: str, notes: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if r.start_time is not None:
        body["start_time"] = _hhmm(r.start_time, f"{where}.start_time")
    if r.end_time is not None:
        body["end_time"] = _hhmm(r.end_time, f"{where}.end_time")
    if r.start_date is not None:
        body["start_date"] = r.start_date.isoformat()
    if r.end_date is not None:
        body["end_date"] = r.end_date.isoformat()
    for name in (
        "min_kwh",
        "max_kwh",
        "min_current",
        "max_current",
        "min_power",
        "max_power",
        "min_duration",
        "max_duration",
    ):
        value = getattr(r, name)
        if value is not None:
            body[name] = value
    if r.day_of_week:
        body["day_of_week"] = [d.value for d in sorted(r.day_of_week, key=lambda d: d.weekday)]
    if r.reservation is not None:
        body["reservation"] = r.reservation.value
    for key, name in EXTENSION_KEYS.items():
        value = getattr(r, name)
        if value is not None:
            body[key] = value
            notes.append(
                f"{where}.{key}: evsenet's extension (seconds since charging ended) has no "
                "OCPI 2.2.1 equivalent; OCPI parties that do not know it will refuse or "
                "ignore it, so this tariff does not price the same for them"
            )
    return body


def _price_body(bound: PriceBound) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if bound.excl_vat is not None:
        body["excl_vat"] = bound.excl_vat
    if bound.incl_vat is not None:
        body["incl_vat"] = bound.incl_vat
    return body


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_tariff(tariff: Tariff, *, last_updated: datetime | None = None) -> OcpiTariffExport:
    """`tariff` as an OCPI 2.2.1 Tariff object, with notes on anything OCPI cannot say.

    Raises `DomainError` `ocpi.not_expressible` for a time of day with seconds.
    """
    notes: list[str] = []
    elements = []
    for index, element in enumerate(tariff.elements):
        body: dict[str, Any] = {
            "price_components": [
                {
                    "type": c.dimension.value,
                    "price": c.price,
                    **({"vat": c.vat} if c.vat is not None else {}),
                    "step_size": c.step_size,
                }
                for c in element.components
            ]
        }
        restrictions = _restrictions_body(
            element.restrictions, f"elements[{index}].restrictions", notes
        )
        if restrictions:
            body["restrictions"] = restrictions
        elements.append(body)
    result: dict[str, Any] = {
        "country_code": tariff.country_code,
        "party_id": tariff.party_id,
        "id": tariff.id,
        "currency": tariff.currency.code,
    }
    if tariff.type is not None:
        result["type"] = tariff.type.value
    if tariff.alt_text:
        result["tariff_alt_text"] = [
            {"language": t.language, "text": t.text} for t in tariff.alt_text
        ]
    if tariff.alt_url is not None:
        result["tariff_alt_url"] = tariff.alt_url
    if tariff.min_price is not None:
        result["min_price"] = _price_body(tariff.min_price)
        if tariff.min_price.excl_vat is None:
            notes.append("min_price has no excl_vat, which OCPI 2.2.1 requires")
    if tariff.max_price is not None:
        result["max_price"] = _price_body(tariff.max_price)
        if tariff.max_price.excl_vat is None:
            notes.append("max_price has no excl_vat, which OCPI 2.2.1 requires")
    result["elements"] = elements
    if tariff.start is not None:
        result["start_date_time"] = _instant(tariff.start)
    if tariff.end is not None:
        result["end_date_time"] = _instant(tariff.end)
    stamp = last_updated or tariff.last_updated
    if stamp is not None:
        result["last_updated"] = _instant(stamp)
    else:
        notes.append("last_updated is unknown; OCPI 2.2.1 requires it (pass last_updated)")
    return OcpiTariffExport(result, tuple(notes))
