"""An API client on the `store` fixture (SQLite and PostgreSQL) with two tenants.

Operator A is `DE*ABC`, a hub that declared the sub-operator prefix `DE*XYZ` (as in
Hubject's example push); operator B is `NL*EVN`. Each has its own API token.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from evsenet.api import create_app
from evsenet.services.operators import register_operator
from evsenet.services.tokens import create_token
from evsenet.store.engine import Store

A = "DE*ABC"
B = "NL*EVN"
PROBLEM_JSON = "application/problem+json"
CSV_COLUMNS = (
    "evse_id,charging_station_id,country,city,postal_code,street,house_number,"
    "latitude,longitude,power_type,output_kw,plugs,time_zone"
)


def oicp_record(evse_id: str, **changes: Any) -> dict[str, Any]:
    """A valid OICP 2.3 EvseDataRecord; `changes` replace top-level keys (None drops one)."""
    record: dict[str, Any] = {
        "EvseID": evse_id,
        "ChargingStationID": "STATION 1",
        "Address": {
            "Country": "DEU",
            "City": "Berlin",
            "PostalCode": "10115",
            "Street": "Invalidenstraße",
            "HouseNum": "1",
            "TimeZone": "UTC+01:00",
        },
        "GeoCoordinates": {"DecimalDegree": {"Latitude": "52.530000", "Longitude": "13.380000"}},
        "ChargingFacilities": [{"PowerType": "AC_3_PHASE", "Power": 22}],
        "Plugs": ["Type 2 Outlet"],
    }
    record.update(changes)
    return {key: value for key, value in record.items() if value is not None}


def oicp_body(operator: str, records: list[dict[str, Any]], action: str = "insert") -> bytes:
    body = {
        "ActionType": action,
        "OperatorEvseData": {
            "OperatorID": operator,
            "OperatorName": f"Operator {operator}",
            "EvseDataRecord": records,
        },
    }
    return json.dumps(body).encode()


def csv_file(*rows: str, bom: bool = False) -> bytes:
    text = "\r\n".join([CSV_COLUMNS, *rows]) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def csv_row(evse_id: str, city: str = "Köln", output: str = "22", power: str = "AC_3_PHASE") -> str:
    return (
        f"{evse_id},KOE-1,DEU,{city},50667,Hohe Straße,52,50.936810,6.955860,{power},"
        f"{output},Type 2 Outlet,"
    )


BNETZA_HEADER = (
    "Betreiber;Straße;Hausnummer;Adresszusatz;Postleitzahl;Ort;Bundesland;"
    "Kreis/kreisfreie Stadt;Breitengrad;Längengrad;Inbetriebnahmedatum;Anschlussleistung;"
    "Art der Ladeeinrichung;Anzahl Ladepunkte;Steckertypen1;P1 [kW];Public Key1;"
    "Steckertypen2;P2 [kW];Public Key2;Steckertypen3;P3 [kW];Public Key3;"
    "Steckertypen4;P4 [kW];Public Key4"
)
BNETZA_ROW = (
    "ABC Laden GmbH;Hohe Straße;1;;50667;Köln;Nordrhein-Westfalen;Kreisfreie Stadt Köln;"
    "50,937417;6,957069;01.02.21;22;Normalladeeinrichtung;2;AC Steckdose Typ 2;11;;"
    "AC Steckdose Typ 2;11;;;;;;;"
)
AFDC_HEADER = (
    "Fuel Type Code,Station Name,Street Address,City,State,ZIP,EV Level1 EVSE Num,"
    "EV Level2 EVSE Num,EV DC Fast Count,EV Network,Latitude,Longitude,ID,"
    "EV Connector Types,Country"
)
AFDC_ROW = (
    'ELEC,"Garage 1001, Level P1",1001 W 34th St,New York,NY,10001,,2,,Non-Networked,'
    "40.750000,-73.997000,1001,J1772,US"
)


def bnetza_file() -> bytes:
    """A Ladesäulenregister (old layout) with one device of two charging points in Köln."""
    return ("\ufeff" + BNETZA_HEADER + "\r\n" + BNETZA_ROW + "\r\n").encode()


def afdc_file() -> bytes:
    """An AFDC export with one station of two Level 2 points in New York."""
    return (AFDC_HEADER + "\n" + AFDC_ROW + "\n").encode()


def assert_problem(response: Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:evsenet:problem:{code}"
    assert body["title"]
    assert body["detail"]
    return body


class Api:
    """The test client, with one token per tenant and shortcuts for common calls.

    The helpers of this module are reachable from it too (`api.record(...)`), so that test
    modules need not import from a conftest.
    """

    A = A
    B = B
    record = staticmethod(oicp_record)
    oicp_body = staticmethod(oicp_body)
    csv_file = staticmethod(csv_file)
    csv_row = staticmethod(csv_row)
    bnetza_file = staticmethod(bnetza_file)
    afdc_file = staticmethod(afdc_file)
    problem = staticmethod(assert_problem)

    def __init__(self, client: TestClient, store: Store, tokens: Mapping[str, str]) -> None:
        self.client = client
        self.store = store
        self.tokens = dict(tokens)

    def auth(self, operator: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[operator]}"}

    def get(self, path: str, as_: str = A, **params: Any) -> Response:
        response: Response = self.client.get(path, params=params, headers=self.auth(as_))
        return response

    def push(
        self,
        records: list[dict[str, Any]],
        as_: str = A,
        action: str = "insert",
        *,
        body_operator: str | None = None,
        skip_invalid: bool = False,
        **params: Any,
    ) -> Response:
        body = oicp_body(body_operator or as_, records, action)
        response: Response = self.client.post(
            "/api/v1/evses/push",
            content=body,
            params={"skip_invalid": str(skip_invalid).lower(), **params},
            headers={**self.auth(as_), "Content-Type": "application/json"},
        )
        return response

    def import_file(self, data: bytes, as_: str = A, **params: Any) -> Response:
        response: Response = self.client.post(
            "/api/v1/evses/import",
            content=data,
            params=params,
            headers={**self.auth(as_), "Content-Type": "text/csv"},
        )
        return response

    def oicp_push(self, path_operator: str, body: bytes, as_: str = A, **params: Any) -> Response:
        response: Response = self.client.post(
            f"/api/oicp/evsepush/v23/operators/{path_operator}/data-records",
            content=body,
            params=params,
            headers={**self.auth(as_), "Content-Type": "application/json"},
        )
        return response

    def evse_ids(self, as_: str = A, **params: Any) -> list[str]:
        response = self.get("/api/v1/evses", as_, limit=1000, **params)
        assert response.status_code == 200, response.text
        return [item["evse_id"] for item in response.json()["items"]]


@pytest.fixture
def api(store: Store) -> Iterator[Api]:
    register_operator(store, A, "ABC technologies", sub_operators=["DE*XYZ"])
    register_operator(store, B, "EVN Netherlands")
    tokens = {A: create_token(store, A, "tests")[1], B: create_token(store, B, "tests")[1]}
    with TestClient(create_app(store)) as client:
        yield Api(client, store, tokens)
