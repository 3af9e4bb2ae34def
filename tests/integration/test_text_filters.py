"""Filters read text as it means: codes only in ASCII, EVSE ID text in ASCII, output bounds
with the stored decimals, cities and postal codes by NFKC + case-folded keys."""

from __future__ import annotations

from typing import Any

import pytest

from evsenet.domain.errors import DomainError
from evsenet.domain.evse import EvseInput
from evsenet.domain.inventory import EvseFilter, PushAction
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.services.inventory import evse_filter, import_evses, list_evses
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store


@pytest.mark.parametrize(
    ("criteria", "code"),
    [
        pytest.param({"country": "ß"}, "country.unknown", id="sharp-s-country"),
        pytest.param({"country": "ßD"}, "country.unknown", id="sharp-s-d-is-not-ssd"),
        pytest.param({"country": "ＤＥＵ"}, "country.unknown", id="fullwidth-country"),
        pytest.param({"power_type": "dſ"}, "filter.power_type", id="long-s-power-type"),
        pytest.param({"min_output_kw": "22.005"}, "filter.output_range", id="three-decimals"),
        pytest.param({"max_output_kw": "5e1"}, "filter.output_range", id="exponent"),
        pytest.param({"max_output_kw": "+50"}, "filter.output_range", id="plus-sign"),
    ],
)
def test_filters_refuse_text_that_only_case_mapping_makes_a_code(
    criteria: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        EvseFilter.parse(**criteria)
    assert caught.value.code == code


def evse(evse_id: str, city: str) -> EvseInput:
    return EvseInput(
        evse_id, "ST-1", "DEU", city, "50667", "Hohe Straße", "1", "50.9", "6.9", "DC", "50",
        ("CHAdeMO",),
    )  # fmt: skip


def test_evse_id_text_outside_ascii_matches_no_evse(store: Store) -> None:
    register_operator(store, "DE*ABC")
    items = [
        SourceRecord(0, evse("DE*ABC*ESS1", "Köln")),
        SourceRecord(1, evse("DE*ABC*E2", "Ko\u0308ln")),
        SourceRecord(2, evse("DE*ABC*E3", "KÖLN")),
    ]
    import_evses(store, "DE*ABC", ParsedBatch(PushAction.UPSERT, "index", list(items)))

    def found(**criteria: Any) -> list[str]:
        page = list_evses(store, "DE*ABC", evse_filter(**criteria))
        return [item.record.evse_id.sent for item in page.items]

    assert found(text="ss") == ["DE*ABC*ESS1"]
    assert found(text="ß") == [], "ß is not SS in an EVSE ID"
    assert found(city="köln") == ["DE*ABC*E2", "DE*ABC*E3", "DE*ABC*ESS1"]
    assert found(city="Ko\u0308ln") == ["DE*ABC*E2", "DE*ABC*E3", "DE*ABC*ESS1"]
