"""`GET /api/v1/evses` as CSV: format=csv or `Accept: text/csv`, streamed, importable."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from evsenet.api.routes.evses import wants_csv

if TYPE_CHECKING:
    from tests.api.conftest import Api

HEADER = (
    "evse_id,charging_station_id,country,city,postal_code,street,house_number,latitude,"
    "longitude,power_type,output_kw,plugs,time_zone"
)


def seed(api: Api) -> None:
    rows = [
        api.csv_row("DE*ABC*E1", city="Köln"),
        api.csv_row("DE*ABC*E2", city="Bonn", output="150", power="DC"),
        "DE*ABC*E3,S,DEU,'=cmd,1,X,1,50,6,DC,50,,",  # a neutralised formula as the city
    ]
    response = api.import_file(api.csv_file(*rows))
    assert response.status_code == 200, response.text


def test_format_csv_answers_the_import_format_with_every_match(api: Api) -> None:
    seed(api)
    response = api.get("/api/v1/evses", format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert 'filename="evses-DEABC.csv"' in response.headers["content-disposition"]
    assert response.headers["vary"] == "Accept"
    assert api.get("/api/v1/evses").headers["vary"] == "Accept"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff" + HEADER + "\r\n")
    lines = text.removeprefix("\ufeff").splitlines()
    assert len(lines) == 4
    assert lines[1].startswith("DE*ABC*E1,KOE-1,DEU,Köln,50667,Hohe Straße,52,50.936810,")
    assert lines[3].startswith("DE*ABC*E3,S,DEU,'=cmd,"), "the formula stays neutralised"


def test_the_exported_file_imports_unchanged(api: Api) -> None:
    seed(api)
    exported = api.get("/api/v1/evses", format="csv").content
    response = api.import_file(exported)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (0, 0, 3)


@pytest.mark.parametrize(
    "accept",
    ["text/csv", "text/csv, application/json;q=0.5", "application/json;q=0.1, text/csv;q=0.2"],
)
def test_accept_text_csv_chooses_csv(api: Api, accept: str) -> None:
    seed(api)
    response = api.client.get("/api/v1/evses", headers={**api.auth(api.A), "Accept": accept})
    assert response.headers["content-type"].startswith("text/csv")


def test_filters_apply_to_the_export(api: Api) -> None:
    seed(api)
    text = api.get("/api/v1/evses", format="csv", power_type="dc", city="BONN").text
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["DE*ABC*E2"]
    assert api.get("/api/v1/evses", as_=api.B, format="csv").text.count("\r\n") == 1


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": "10"}, "export.paged"),
        ({"offset": "0"}, "export.paged"),
        ({"include_withdrawn": "true"}, "export.withdrawn"),
    ],
)
def test_an_export_refuses_pages_and_withdrawn_evses(
    api: Api, params: dict[str, str], code: str
) -> None:
    api.problem(api.get("/api/v1/evses", format="csv", **params), 400, code)


@pytest.mark.parametrize(
    ("accept", "csv"),
    [
        pytest.param(None, False, id="none"),
        pytest.param("*/*", False, id="anything"),
        pytest.param("text/*", False, id="any-text"),
        pytest.param("application/json", False, id="json"),
        pytest.param("text/csv", True, id="csv"),
        pytest.param("TEXT/CSV; q=1", True, id="csv-in-capitals"),
        pytest.param("text/csv;q=0", False, id="csv-refused"),
        pytest.param("text/csv;q=0.4, application/json;q=0.5", False, id="json-preferred"),
        pytest.param("text/csv;q=oops", False, id="unreadable-quality"),
        pytest.param("text/html,text/csv;q=0.9,*/*;q=0.8", True, id="browser-like"),
    ],
)
def test_accept_headers(accept: str | None, csv: bool) -> None:
    assert wants_csv(accept) is csv
