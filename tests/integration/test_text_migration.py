"""Migration 0005 on SQLite and PostgreSQL with data: stored text becomes NFC, search keys
NFKC + case folding; down again restores the old keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import text

from evsenet.domain.text import search_key
from evsenet.services.inventory import evse_filter, list_evses
from evsenet.store.engine import Store
from evsenet.store.migrate import alembic_config, current_revision, head_revision, upgrade

NFD_KOELN = "Ko\u0308ln"
CITIES = [
    ("DEABCE1", NFD_KOELN, "5O667"),
    ("DEABCE2", "Köln", "50667"),
    ("DEABCE3", "KÖLN", "50667"),
    ("DEABCE4", "\ufb01nsterwalde", "03238"),  # the ligature "ﬁ"
    ("DEABCE5", "Ｂｅｒｌｉｎ", "１０１１５"),  # fullwidth
    ("DEABCE6", "Stra\u00dfe", "ABC"),
    ("DEABCE7", "\ufdfa" * 10, "1"),  # a key 180 letters long: cut to its column
]


@pytest.fixture
def store_at_0003(empty_database_url: str) -> Iterator[Store]:
    store = Store(empty_database_url)
    upgrade(store, "0003")
    yield store
    store.dispose()


def _downgrade(store: Store, revision: str) -> None:
    config = alembic_config(store)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _seed_the_old_way(store: Store) -> None:
    """Rows as the code of revision 0003 wrote them: text as sent, keys `casefold()`."""
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO operators (operator_id, display_id, name, created_at) "
                "VALUES ('DEABC', 'DE*ABC', :name, CURRENT_TIMESTAMP)"
            ),
            {"name": "Stadtwerke " + NFD_KOELN},
        )
        operator_pk = connection.execute(text("SELECT id FROM operators")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO api_tokens (operator_pk, token_hash, label, created_at) "
                "VALUES (:pk, :hash, :label, CURRENT_TIMESTAMP)"
            ),
            {"pk": operator_pk, "hash": "0" * 64, "label": "Ba\u0308r"},
        )
        for evse_id, city, postal_code in CITIES:
            connection.execute(
                text(
                    "INSERT INTO evses (operator_pk, evse_id, evse_id_sent, charging_station_id,"
                    " country, city, postal_code, city_key, postal_code_key, street,"
                    " house_number, latitude, longitude, power_type, output_kw, plugs,"
                    " time_zone, created_at, updated_at) VALUES (:pk, :id, :id, :station,"
                    " 'DEU', :city, :postal_code, :city_key, :postal_code_key, :street, '1',"
                    " 50.9, 6.9, 'DC', 50, '', 'Europe/Berlin', CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                ),
                {
                    "pk": operator_pk,
                    "id": evse_id,
                    "station": "St" + "a\u0301",
                    "city": city,
                    "postal_code": postal_code,
                    "city_key": city.casefold(),
                    "postal_code_key": postal_code.casefold(),
                    "street": "Hohe Stra\u00dfe",
                },
            )


def _rows(store: Store) -> dict[str, tuple[str, str, str, str]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT evse_id, city, city_key, postal_code_key, charging_station_id FROM evses")
        )
        return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def _city(store: Store, city: str) -> list[str]:
    page = list_evses(store, "DE*ABC", evse_filter(city=city))
    return [item.record.evse_id.normalised for item in page.items]


def test_0005_stores_nfc_and_rebuilds_the_keys_with_nfkc_and_case_folding(
    store_at_0003: Store,
) -> None:
    store = store_at_0003
    _seed_the_old_way(store)
    assert _city(store, "Köln") == ["DEABCE2", "DEABCE3"], "before: NFD Köln is another city"

    upgrade(store)
    assert current_revision(store) == head_revision(store)
    rows = _rows(store)
    assert rows["DEABCE1"][0] == "Köln", "NFD text is stored as NFC"
    assert rows["DEABCE1"][3] == "Stá"
    for evse_id, city, postal_code in CITIES:
        assert rows[evse_id][1] == search_key(city)[:150]
        assert rows[evse_id][2] == search_key(postal_code)[:30]
    assert len(rows["DEABCE7"][1]) == 150
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM operators")).scalar_one() == (
            "Stadtwerke Köln"
        )
        assert connection.execute(text("SELECT label FROM api_tokens")).scalar_one() == "Bär"

    assert _city(store, "köln") == ["DEABCE1", "DEABCE2", "DEABCE3"]
    assert _city(store, NFD_KOELN) == ["DEABCE1", "DEABCE2", "DEABCE3"]
    assert _city(store, "Finsterwalde") == ["DEABCE4"]
    assert _city(store, "BERLIN") == ["DEABCE5"]
    assert _city(store, "STRASSE") == ["DEABCE6"]
    assert _city(store, "\ufdfa" * 10) == ["DEABCE7"]
    postal = list_evses(store, "DE*ABC", evse_filter(postal_code="101"))
    assert [item.record.evse_id.normalised for item in postal.items] == ["DEABCE5"]


def test_0005_down_to_0003_restores_the_old_keys(store_at_0003: Store) -> None:
    store = store_at_0003
    _seed_the_old_way(store)
    upgrade(store)
    _downgrade(store, "0003")
    assert current_revision(store) == "0003"
    rows = _rows(store)
    for evse_id, _, postal_code in CITIES:
        assert rows[evse_id][1] == rows[evse_id][0].casefold()
        assert rows[evse_id][2] == postal_code.casefold()
    upgrade(store)
    assert _rows(store)["DEABCE5"][1] == "berlin"
