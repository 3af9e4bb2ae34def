"""`/api/v1`: authentication, the operator, listing and reading EVSEs, pushes and imports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from evsenet.services.tokens import create_token, revoke_token

if TYPE_CHECKING:
    from tests.api.conftest import Api

HUBJECT_PUSH = Path("hubject-oicp/OICP-2.3/CPO_code_snippets/eRoamingPushEvseData.request.json")
ENDPOINTS = [
    ("GET", "/api/v1/operator"),
    ("GET", "/api/v1/evses"),
    ("GET", "/api/v1/evses/DE*ABC*E1001"),
    ("POST", "/api/v1/evses/push"),
    ("POST", "/api/v1/evses/import"),
    ("POST", "/api/oicp/evsepush/v23/operators/DE*ABC/data-records"),
]


def site(
    api: Api,
    evse_id: str,
    city: str,
    postal_code: str,
    power: str,
    kw: str,
    country: str = "DEU",
) -> dict[str, Any]:
    address = {
        "Country": country,
        "City": city,
        "PostalCode": postal_code,
        "Street": "Hauptstraße",
        "HouseNum": "7",
        "TimeZone": "UTC+01:00",
    }
    facility = [{"PowerType": power, "Power": kw}]
    return api.record(evse_id, Address=address, ChargingFacilities=facility)


SEED = [
    ("DE*ABC*E1001", "Berlin", "10115", "AC_3_PHASE", "22", "DEU"),
    ("DE*ABC*E1002", "Berlin", "10117", "DC", "150", "DEU"),
    ("DE*ABC*E2001", "Köln", "50667", "AC_1_PHASE", "3.7", "DEU"),
    ("DE*ABC*E2002", "Köln", "50668", "AC_3_PHASE", "11", "DEU"),
    ("DE*XYZ*E3001", "Amsterdam", "1012 JS", "DC", "50", "NLD"),
    ("DE*ABC*E9999", "Berlin", "10115", "AC_3_PHASE", "22", "DEU"),
]
ACTIVE = ["DE*ABC*E1001", "DE*ABC*E1002", "DE*ABC*E2001", "DE*ABC*E2002", "DE*XYZ*E3001"]


@pytest.fixture
def seeded(api: Api) -> Api:
    """A's inventory: five active EVSEs and one withdrawn (E9999)."""
    records = [site(api, *row) for row in SEED]
    assert api.push(records).status_code == 200
    withdraw = api.push([api.record("DE*ABC*E9999")], action="delete")
    assert withdraw.json()["withdrawn"] == 1
    return api


# --- authentication -----------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_request_without_a_token_is_refused(api: Api, method: str, path: str) -> None:
    response = api.client.request(method, path, content=b"{}")
    api.problem(response, 401, "auth.required")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_an_unknown_token_is_refused(api: Api, method: str, path: str) -> None:
    headers = {"Authorization": "Bearer evn_not-a-token"}
    response = api.client.request(method, path, content=b"{}", headers=headers)
    api.problem(response, 401, "auth.invalid")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_another_scheme_than_bearer_is_refused(api: Api) -> None:
    headers = {"Authorization": f"Basic {api.tokens[api.A]}"}
    api.problem(api.client.get("/api/v1/operator", headers=headers), 401, "auth.required")


def test_a_revoked_token_no_longer_works(api: Api) -> None:
    token_id, token = create_token(api.store, api.A, "laptop")
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/operator", headers=headers).status_code == 200
    revoke_token(api.store, api.A, token_id)
    api.problem(api.client.get("/api/v1/operator", headers=headers), 401, "auth.invalid")
    assert api.get("/api/v1/operator").status_code == 200, "other tokens still work"


def test_the_operator_is_the_tokens_operator(api: Api) -> None:
    response = api.get("/api/v1/operator")
    assert response.status_code == 200
    assert response.json() == {
        "id": "DE*ABC",
        "name": "ABC technologies",
        "sub_operators": ["DE*XYZ"],
    }
    assert api.get("/api/v1/operator", api.B).json()["id"] == "NL*EVN"


# --- listing --------------------------------------------------------------------------


def test_an_evse_shows_its_key_facts_first_with_exact_decimals(seeded: Api) -> None:
    response = seeded.get("/api/v1/evses", q="E1002")
    assert response.status_code == 200
    [evse] = response.json()["items"]
    assert list(evse)[:4] == ["evse_id", "location", "power_type", "output_kw"]
    assert evse["evse_id"] == "DE*ABC*E1002"
    assert evse["location"] == {
        "country": "DEU",
        "city": "Berlin",
        "postal_code": "10117",
        "street": "Hauptstraße",
        "house_number": "7",
    }
    assert evse["power_type"] == "DC"
    assert evse["output_kw"] == "150.00"
    assert evse["coordinates"] == {"latitude": "52.530000", "longitude": "13.380000"}
    assert evse["plugs"] == ["Type 2 Outlet"]
    assert evse["time_zone"] == "Europe/Berlin"
    assert evse["status"] == "active"
    assert evse["withdrawn_at"] is None
    assert evse["created_at"].endswith(("Z", "+00:00"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ACTIVE),
        ({"q": "E100"}, ["DE*ABC*E1001", "DE*ABC*E1002"]),
        ({"q": "de*abc*e2"}, ["DE*ABC*E2001", "DE*ABC*E2002"]),
        ({"country": "NL"}, ["DE*XYZ*E3001"]),
        ({"country": "deu"}, ACTIVE[:4]),
        ({"city": "berlin"}, ["DE*ABC*E1001", "DE*ABC*E1002"]),
        ({"postal_code": "1011"}, ["DE*ABC*E1001", "DE*ABC*E1002"]),
        ({"power_type": "dc"}, ["DE*ABC*E1002", "DE*XYZ*E3001"]),
        (
            {"min_output_kw": "11", "max_output_kw": "50"},
            ["DE*ABC*E1001", "DE*ABC*E2002", "DE*XYZ*E3001"],
        ),
        ({"min_output_kw": "150.00"}, ["DE*ABC*E1002"]),
        ({"include_withdrawn": "true"}, [*ACTIVE[:4], "DE*ABC*E9999", ACTIVE[4]]),
        ({"city": "Berlin", "power_type": "AC_3_PHASE"}, ["DE*ABC*E1001"]),
        ({"q": "nothing"}, []),
    ],
)
def test_filters(seeded: Api, params: dict[str, str], expected: list[str]) -> None:
    response = seeded.get("/api/v1/evses", **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["evse_id"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("output_kw", "desc", ["E1002", "E3001", "E1001", "E2002", "E2001"]),
        ("output_kw", "asc", ["E2001", "E2002", "E1001", "E3001", "E1002"]),
        ("city", "asc", ["E3001", "E1001", "E1002", "E2001", "E2002"]),
        ("evse_id", "desc", ["E3001", "E2002", "E2001", "E1002", "E1001"]),
        ("power_type", "asc", ["E2001", "E1001", "E2002", "E1002", "E3001"]),
    ],
)
def test_sorting(seeded: Api, sort: str, order: str, expected: list[str]) -> None:
    ids = seeded.evse_ids(sort=sort, order=order)
    assert [evse_id.rsplit("*", 1)[1] for evse_id in ids] == expected


def test_paging(seeded: Api) -> None:
    response = seeded.get("/api/v1/evses", limit=2, offset=1)
    body = response.json()
    assert [item["evse_id"] for item in body["items"]] == ["DE*ABC*E1002", "DE*ABC*E2001"]
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 1)
    beyond = seeded.get("/api/v1/evses", offset=10).json()
    assert (beyond["items"], beyond["total"]) == ([], 5)
    assert seeded.get("/api/v1/evses").json()["limit"] == 50


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "query.limit"),
        ({"limit": "1001"}, "query.limit"),
        ({"offset": "-1"}, "query.offset"),
        ({"sort": "street"}, "query.sort"),
        ({"order": "up"}, "query.order"),
        ({"min_output_kw": "abc"}, "query.min_output_kw"),
        ({"max_output_kw": "NaN"}, "query.max_output_kw"),
        ({"include_withdrawn": "maybe"}, "query.include_withdrawn"),
        ({"city": "a\x00b"}, "query.city"),
    ],
)
def test_malformed_query_values_are_422_per_field(
    api: Api, params: dict[str, str], field: str
) -> None:
    body = api.problem(api.get("/api/v1/evses", **params), 422, "request.invalid")
    assert [error["field"] for error in body["errors"]] == [field]
    assert all(error["message"] and error["code"] for error in body["errors"])


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"min_output_kw": "50", "max_output_kw": "11"}, "filter.output_range"),
        ({"power_type": "AC"}, "filter.power_type"),
        ({"country": "XX"}, "country.unknown"),
    ],
)
def test_filter_values_the_domain_refuses_are_400(
    api: Api, params: dict[str, str], code: str
) -> None:
    api.problem(api.get("/api/v1/evses", **params), 400, code)


# --- one EVSE -------------------------------------------------------------------------


def test_one_evse_by_any_spelling_of_its_id(seeded: Api) -> None:
    for spelling in ("DE*XYZ*E3001", "dexyze3001", "DEXYZ*E3001"):
        response = seeded.get(f"/api/v1/evses/{spelling}")
        assert response.status_code == 200, spelling
        assert response.json()["evse_id"] == "DE*XYZ*E3001", "the form the operator sent"
        assert response.json()["location"]["country"] == "NLD"


def test_a_withdrawn_evse_can_still_be_read(seeded: Api) -> None:
    evse = seeded.get("/api/v1/evses/DE*ABC*E9999").json()
    assert evse["status"] == "withdrawn"
    assert evse["withdrawn_at"] is not None


def test_an_unknown_evse_is_404(seeded: Api) -> None:
    seeded.problem(seeded.get("/api/v1/evses/DE*ABC*E4711"), 404, "evse.not_found")


def test_a_malformed_evse_id_is_400_with_the_domain_message(seeded: Api) -> None:
    body = seeded.problem(seeded.get("/api/v1/evses/DE*ABC*X1!"), 400, "evse_id.malformed")
    assert "'!' is not allowed" in body["detail"]


# --- push -----------------------------------------------------------------------------


@pytest.mark.peer_data
def test_hubjects_example_push_is_accepted_as_it_is(api: Api, peer_data: Path) -> None:
    body = (peer_data / HUBJECT_PUSH).read_bytes()
    headers = {**api.auth(api.A), "Content-Type": "application/json"}
    response = api.client.post("/api/v1/evses/push", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "action": "fullLoad",
        "received": 1,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
        "rejected": [],
        "rejected_not_shown": 0,
        "committed": True,
    }
    evse = api.get("/api/v1/evses/DE*XYZ*ETEST1").json()
    assert evse["location"] == {
        "country": "DEU",
        "city": "Berlin",
        "postal_code": "10829",
        "street": "EUREF CAMPUS",
        "house_number": "22",
    }
    assert (evse["power_type"], evse["output_kw"]) == ("AC_3_PHASE", "22.00")
    assert evse["coordinates"] == {"latitude": "52.480495", "longitude": "13.356465"}
    assert evse["charging_station_id"] == "TEST 1"
    again = api.client.post("/api/v1/evses/push", content=body, headers=headers)
    assert again.json()["unchanged"] == 1


def test_a_refused_batch_is_422_per_record_and_writes_nothing(seeded: Api) -> None:
    before = seeded.get("/api/v1/evses", include_withdrawn="true").json()
    records = [
        site(seeded, "DE*ABC*E5001", "Bonn", "53111", "DC", "50"),
        seeded.record("DE*ABC*E5002", ChargingFacilities=[]),
        seeded.record("XX-1"),
    ]
    response = seeded.push(records, action="insert")
    body = seeded.problem(response, 422, "batch.rejected")
    assert "nothing was written" in body["detail"]
    errors = body["errors"]
    assert {error["index"] for error in errors} == {1, 2}
    first = [(e["evse_id"], e["field"], e["code"]) for e in errors if e["index"] == 1]
    assert ("DE*ABC*E5002", "power_type", "power_type.missing") in first
    [second] = [error for error in errors if error["index"] == 2]
    assert (second["field"], second["code"]) == ("evse_id", "evse_id.malformed")
    assert all(
        set(error) == {"index", "evse_id", "field", "code", "message"} for error in body["errors"]
    )
    after = seeded.get("/api/v1/evses", include_withdrawn="true").json()
    assert after == before
    seeded.problem(seeded.get("/api/v1/evses/DE*ABC*E5001"), 404, "evse.not_found")


def test_a_batch_refused_by_the_inventory_writes_nothing(seeded: Api) -> None:
    """Valid records that clash with the inventory refuse the batch too (phase two)."""
    records = [
        site(seeded, "DE*ABC*E5001", "Bonn", "53111", "DC", "50"),
        site(seeded, "DE*ABC*E1001", "Bonn", "53111", "DC", "50"),
    ]
    body = seeded.problem(seeded.push(records, action="insert"), 422, "batch.rejected")
    [error] = body["errors"]
    assert (error["index"], error["code"]) == (1, "evse.already_exists")
    seeded.problem(seeded.get("/api/v1/evses/DE*ABC*E5001"), 404, "evse.not_found")
    assert seeded.get("/api/v1/evses/DE*ABC*E1001").json()["location"]["city"] == "Berlin"
    update = seeded.push([seeded.record("DE*ABC*E4711")], action="update")
    assert seeded.problem(update, 422, "batch.rejected")["errors"][0]["code"] == "evse.unknown"


def test_skip_invalid_applies_the_valid_records_and_reports_the_others(seeded: Api) -> None:
    records = [
        site(seeded, "DE*ABC*E5001", "Bonn", "53111", "DC", "50"),
        seeded.record("DE*ABC*E5002", ChargingFacilities=[]),
    ]
    response = seeded.push(records, skip_invalid=True)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["inserted"], summary["committed"]) == (1, True)
    rejected = summary["rejected"]
    assert {error["index"] for error in rejected} == {1}
    assert all("line" not in error for error in rejected)
    assert "power_type.missing" in {error["code"] for error in rejected}
    assert seeded.get("/api/v1/evses/DE*ABC*E5001").status_code == 200


@pytest.mark.parametrize("action", ["insert", "fullLoad"])
def test_a_withdrawn_evse_pushed_again_comes_back(seeded: Api, action: str) -> None:
    records = [seeded.record("DE*ABC*E9999")]
    if action == "fullLoad":  # a fullLoad of this one withdraws the other 5
        response = seeded.push(records, action=action, confirm_withdrawals=5)
    else:
        response = seeded.push(records, action=action)
    assert response.status_code == 200
    assert response.json()["inserted"] == 1
    assert seeded.get("/api/v1/evses/DE*ABC*E9999").json()["status"] == "active"


def test_full_load_withdraws_what_it_does_not_name(seeded: Api) -> None:
    response = seeded.push(
        [seeded.record("DE*ABC*E1001")], action="fullLoad", confirm_withdrawals=4
    )
    assert response.status_code == 200
    assert response.json()["withdrawn"] == 4
    assert seeded.evse_ids() == ["DE*ABC*E1001"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{", "oicp.body.malformed"),
        (b"", "oicp.body.malformed"),
        (b"[1, 2]", "oicp.body.malformed"),
        (b'{"ActionType": "insert"}', "oicp.body.malformed"),
        (
            b'{"ActionType": "merge", "OperatorEvseData": {"OperatorID": "DE*ABC", '
            b'"EvseDataRecord": []}}',
            "action.unknown",
        ),
        (b"\xff\xfe\x00", "oicp.body.encoding"),
    ],
)
def test_an_unreadable_push_body_is_400(api: Api, body: bytes, code: str) -> None:
    headers = {**api.auth(api.A), "Content-Type": "application/json"}
    response = api.client.post("/api/v1/evses/push", content=body, headers=headers)
    api.problem(response, 400, code)


# --- file import ----------------------------------------------------------------------


def test_a_nul_character_in_a_text_field_is_refused(api: Api) -> None:
    response = api.push([api.record("DE*ABC*E1", ChargingStationID="A\x00B")])
    body = api.problem(response, 422, "batch.rejected")
    assert body["errors"][0]["field"] == "charging_station_id"


def test_a_csv_file_with_a_byte_order_mark_is_imported(api: Api) -> None:
    data = api.csv_file(api.csv_row("DE*ABC*E7001"), api.csv_row("DE*ABC*E7002"), bom=True)
    response = api.import_file(data)
    assert response.status_code == 200, response.text
    assert (response.json()["action"], response.json()["inserted"]) == ("upsert", 2)
    evse = api.get("/api/v1/evses/DE*ABC*E7001").json()
    assert evse["location"]["city"] == "Köln"
    assert evse["location"]["street"] == "Hohe Straße"


def test_a_refused_csv_file_names_lines_and_writes_nothing(api: Api) -> None:
    data = api.csv_file(api.csv_row("DE*ABC*E7001"), api.csv_row("DE*ABC*E7002", output="-5"))
    body = api.problem(api.import_file(data), 422, "batch.rejected")
    [error] = body["errors"]
    assert (error["line"], error["evse_id"], error["field"]) == (3, "DE*ABC*E7002", "output_kw")
    assert "index" not in error
    assert api.evse_ids() == []


def test_import_actions_apply(api: Api) -> None:
    assert api.import_file(api.csv_file(api.csv_row("DE*ABC*E7001"))).status_code == 200
    insert_again = api.import_file(api.csv_file(api.csv_row("DE*ABC*E7001")), action="insert")
    api.problem(insert_again, 422, "batch.rejected")
    full = api.import_file(
        api.csv_file(api.csv_row("DE*ABC*E7002")), action="fullLoad", confirm_withdrawals=1
    )
    assert (full.json()["inserted"], full.json()["withdrawn"]) == (1, 1)
    assert api.evse_ids() == ["DE*ABC*E7002"]


@pytest.mark.parametrize(
    ("data", "params", "status", "code"),
    [
        ("ok".encode("utf-16"), {}, 400, "import.encoding"),
        (b"", {}, 400, "csv.header.missing"),
        (b"evse_id,colour\r\n", {}, 400, "csv.header.unknown_column"),
        (b"x", {"format": "xml"}, 422, "request.invalid"),
        (b"x", {"action": "merge"}, 422, "request.invalid"),
    ],
)
def test_an_unreadable_file_or_request_is_refused(
    api: Api, data: bytes, params: dict[str, str], status: int, code: str
) -> None:
    api.problem(api.import_file(data, **params), status, code)


def test_a_bnetza_register_is_imported_for_the_caller(api: Api) -> None:
    response = api.import_file(api.bnetza_file(), format="bnetza")
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 2
    ids = api.evse_ids()
    assert len(ids) == 2
    assert all(evse_id.startswith("DE*ABC*E") for evse_id in ids)


def test_an_afdc_export_is_imported_in_the_time_zone_given(api: Api) -> None:
    response = api.import_file(api.afdc_file(), format="afdc", time_zone="America/Chicago")
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 2
    evse = api.get("/api/v1/evses/DE*ABC*E1001*001").json()
    assert evse["time_zone"] == "America/Chicago"
    assert evse["location"]["country"] == "USA"


@pytest.mark.parametrize("endpoint", ["push", "import"])
@pytest.mark.parametrize("action", ["fullLoad", "update"])
def test_a_refused_batch_leaves_every_evse_as_it_was(
    seeded: Api, endpoint: str, action: str
) -> None:
    """Nothing is withdrawn, updated or restored, not even the records that were valid."""
    before = seeded.get("/api/v1/evses", include_withdrawn="true").json()
    if endpoint == "push":
        records = [
            site(seeded, "DE*ABC*E1001", "Bonn", "53111", "DC", "50"),
            seeded.record("DE*ABC*E9999"),
            seeded.record("DE*ABC*E5002", ChargingFacilities=[]),
        ]
        response = seeded.push(records, action=action)
    else:
        rows = [seeded.csv_row("DE*ABC*E1001", city="Bonn"), seeded.csv_row("DE*ABC*E9999")]
        data = seeded.csv_file(*rows, seeded.csv_row("DE*ABC*E5002", output="0"))
        response = seeded.import_file(data, action=action)
    seeded.problem(response, 422, "batch.rejected")
    assert seeded.get("/api/v1/evses", include_withdrawn="true").json() == before
