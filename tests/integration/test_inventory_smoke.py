from __future__ import annotations

from evsenet.domain.evse import EvseInput
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.services.inventory import import_evses, list_evses
from evsenet.services.operators import register_operator
from evsenet.store.engine import Store


def test_full_load_inserts_then_withdraws(store: Store) -> None:
    register_operator(store, "DE*ABC")
    rows = [
        SourceRecord(i, EvseInput(f"DE*ABC*E{i}", "S1", "DEU", "Berlin", "10115", "Main", "1",
                                  "52.5", "13.4", "DC", "150", ("CHAdeMO",)))
        for i in range(3)
    ]
    first = import_evses(store, "DE*ABC", ParsedBatch(PushAction.FULL_LOAD, "index", list(rows)))
    assert (first.inserted, first.withdrawn) == (3, 0)
    second = import_evses(store, "DE*ABC", ParsedBatch(PushAction.FULL_LOAD, "index", rows[:1]))
    assert (second.unchanged, second.withdrawn) == (1, 2)
    assert list_evses(store, "DE*ABC").total == 1
