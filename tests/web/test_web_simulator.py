"""The pricing simulator page over HTTP: the form, the priced answer with its stacked bars
and breakdown, refusals next to their fields (never a 500), and tenancy."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsenet.services import offers
from evsenet.store.engine import Store
from tests.integration.network_fixtures import ACTOR, A
from tests.integration.offer_fixtures import NOW, Net, request
from tests.web.test_web_edge import sign_in

HTMX = {"HX-Request": "true"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
UNLIMITED = "create_unlimited_offer_to_all.json"
SESSION = {
    "evse_id": "DE*ABC*E1",
    "provider_id": "DE*EMP",
    "weekday": "",
    "date": "2027-01-05",
    "start_time": "21:00",
    "charging_minutes": "90",
    "energy_kwh": "30",
    "idle_minutes": "30",
}
"""The service tests' session (Tuesday 2027-01-05 21:00–23:00 in Berlin, charging until
22:30, 30 kWh): 16.65 EUR excl. VAT under the unlimited offer."""


@pytest.fixture
def draft(store: Store, net: Net) -> int:
    return offers.create_offer(store, A, request(UNLIMITED, net), actor=ACTOR, now=NOW).id


def _simulate(
    client: TestClient, offer_id: int, token: str, htmx: bool = False, **changes: str
) -> tuple[int, str]:
    answer = client.post(
        f"/offers/{offer_id}/simulator",
        data={"csrf_token": token, **SESSION, **changes},
        headers=HTMX if htmx else {},
    )
    return answer.status_code, answer.text


def test_the_form_offers_the_networks_evses_and_the_question_it_is_for(
    client: TestClient, draft: int
) -> None:
    sign_in(client)
    page = client.get(f"/offers/{draft}/simulator").text
    assert "pricing simulator" in page
    assert '<option value="DE*ABC*E1">' in page
    assert "in the network's groups" in page
    assert 'name="start_time" type="time" value="18:30"' in page
    assert re.search(r'<option value="1" selected>Tuesday</option>', page)
    assert "Local time at the EVSE" in page


def test_a_search_narrows_the_evse_choices(client: TestClient, draft: int) -> None:
    sign_in(client)
    fragment = client.get(f"/offers/{draft}/simulator/evses", params={"q": "E5"}, headers=HTMX)
    assert fragment.status_code == 200
    assert '<option value="DE*ABC*E5">' in fragment.text
    assert "DE*ABC*E2" not in fragment.text
    assert "<html" not in fragment.text
    in_cologne = client.get(f"/offers/{draft}/simulator", params={"city": "köln"}).text
    assert re.findall(r'<option value="(DE\*ABC\*E\d+)">', in_cologne) == ["DE*ABC*E3"]
    assert "1 of the 1 EVSEs in the network's groups in köln" in in_cologne


def test_the_chosen_evse_names_its_time_zone(client: TestClient, draft: int) -> None:
    sign_in(client)
    zone = client.get(f"/offers/{draft}/simulator/zone", params={"evse_id": "DE*ABC*E1"})
    assert "Europe/Berlin" in zone.text
    unknown = client.get(f"/offers/{draft}/simulator/zone", params={"evse_id": "DE*ABC*E999"})
    assert unknown.status_code == 200
    assert "Europe/Berlin" not in unknown.text


def test_a_draft_is_simulated_with_totals_bars_and_breakdown(
    client: TestClient, draft: int
) -> None:
    token = sign_in(client)
    status, page = _simulate(client, draft, token)
    assert status == 200
    assert "<html" in page
    assert re.search(r'data-total="excl">16\.65 EUR<', page)
    assert re.search(r'data-total="incl">19\.8\d EUR<', page)
    assert "Tue 2027-01-05 21:00" in page
    assert "Europe/Berlin" in page
    bars = re.findall(r'<svg class="bar"[^>]*role="img"', page)
    labels = re.findall(r"<title id=\"bar-\d+-title\">([^<]*)<", page)
    assert labels == [
        "TUESDAY 06:00:00–21:59:59: 14.4585 EUR incl. VAT",
        "not priced: 0.0000 EUR incl. VAT",
        "TUESDAY 22:00:00–23:59:59: 5.3538 EUR incl. VAT",
        "Whole session: 19.8123 EUR incl. VAT",
    ]
    assert len(bars) == len(labels)
    segments = re.findall(r'data-component="(\w+)" x="([\d.]+)%" y="0" width="([\d.]+)%"', page)
    assert {component for component, _, _ in segments} >= {"CHARGING_ENERGY"}
    whole = page[page.index('<title id="bar-4-title">') :].split("</svg>")[0]
    widths = [
        float(w)
        for w in re.findall(r'data-component="\w+" x="[\d.]+%" y="0" width="([\d.]+)%"', whole)
    ]
    assert sum(widths) == pytest.approx(100, abs=0.01)
    assert 'id="chart-table"' in page
    assert 'id="breakdown"' in page
    assert "TUESDAY 22:00:00–23:59:59" in page


def test_a_published_version_is_simulated_too(client: TestClient, store: Store, net: Net) -> None:
    published = offers.create_and_publish(
        store, A, request(UNLIMITED, net), acknowledge_zero_priced=3, actor=ACTOR, now=NOW
    ).id
    token = sign_in(client)
    assert (
        f'href="/offers/{published}/simulator"' in client.get(f"/offers/{published}/versions").text
    )
    page = client.get(f"/offers/{published}/simulator").text
    assert "status-pending" in page or "status-active" in page
    status, answer = _simulate(client, published, token, htmx=True)
    assert status == 200
    assert re.search(r'data-total="excl">16\.65 EUR<', answer)


def test_htmx_answers_the_form_and_the_result_only(client: TestClient, draft: int) -> None:
    token = sign_in(client)
    status, fragment = _simulate(client, draft, token, htmx=True, date="", weekday="1")
    assert status == 200
    assert "<html" not in fragment
    assert fragment.lstrip().startswith("{#") is False
    assert 'id="simulator"' in fragment
    assert 'id="simulation-result"' in fragment
    assert re.search(r'<option value="1" selected>Tuesday</option>', fragment)
    assert "Tue " in fragment


def test_an_evse_in_no_group_is_priced_at_zero_with_the_reason(
    client: TestClient, draft: int
) -> None:
    token = sign_in(client)
    status, page = _simulate(client, draft, token, evse_id="DE*ABC*E9")
    assert status == 200
    assert 'class="zero-price"' in page
    assert "Priced at zero." in page
    assert "in no EVSE group" in page
    assert 'data-total="incl">0' in page


@pytest.mark.parametrize(
    ("changes", "field", "status", "message"),
    [
        ({"evse_id": "DE*ABC*E999"}, "evse_id", 404, "not in this operator's inventory"),
        ({"evse_id": "NL*EVN*E1"}, "evse_id", 404, "not in this operator's inventory"),
        ({"evse_id": "not an id"}, "evse_id", 400, ""),
        ({"provider_id": "nonsense!"}, "provider_id", 400, ""),
        ({"energy_kwh": "-5"}, "energy_kwh", 400, "-5"),
        ({"energy_kwh": "lots"}, "energy_kwh", 422, "number of kWh"),
        ({"energy_kwh": "1e3"}, "energy_kwh", 422, "number of kWh"),
        ({"energy_kwh": "sNaN"}, "energy_kwh", 422, "number of kWh"),
        ({"energy_kwh": "Infinity"}, "energy_kwh", 422, "number of kWh"),
        ({"charging_minutes": "--5"}, "charging_minutes", 422, "whole number"),
        ({"date": "9999-12-31"}, "date", 400, "outside the days"),
        ({"date": "0001-01-01"}, "date", 400, "outside the days"),
        ({"charging_minutes": "-45"}, "charging_minutes", 400, "end before it starts"),
        ({"charging_minutes": "9999999"}, "charging_minutes", 400, "two weeks"),
        ({"charging_minutes": "soon"}, "charging_minutes", 422, "whole number"),
        ({"idle_minutes": "-10"}, "idle_minutes", 400, "after the session"),
        ({"date": "2027-02-30"}, "date", 422, "not a date"),
        ({"date": "", "weekday": ""}, "date", 400, "Choose the day"),
        ({"start_time": ""}, "start_time", 422, "local time"),
        ({"start_time": "25:99"}, "start_time", 422, "not a time"),
        ({"date": "2027-03-28", "start_time": "02:30"}, "start_time", 400, "does not exist"),
        ({"charging_minutes": "0"}, "energy_kwh", 400, "no time"),
    ],
    ids=[
        "unknown EVSE",
        "foreign EVSE",
        "malformed EVSE ID",
        "malformed provider ID",
        "negative energy",
        "energy not a number",
        "energy in exponent notation",
        "energy sNaN",
        "energy infinite",
        "minutes twice negative",
        "year 9999",
        "year 1",
        "end before start",
        "too long",
        "minutes not a number",
        "negative idle time",
        "no such date",
        "no day",
        "no time",
        "malformed time",
        "time skipped by DST",
        "energy in no time",
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_bad_input_is_shown_next_to_its_field(
    client: TestClient,
    draft: int,
    changes: dict[str, str],
    field: str,
    status: int,
    message: str,
    htmx: bool,
) -> None:
    token = sign_in(client)
    answer = client.post(
        f"/offers/{draft}/simulator",
        data={"csrf_token": token, **SESSION, **changes},
        headers=HTMX if htmx else {},
    )
    assert answer.status_code == status
    problem = re.search(
        rf'<p class="field-problem" id="sim-{field}-problem">([^<]*)</p>', answer.text
    )
    assert problem is not None, answer.text
    assert message in problem.group(1).replace("&#39;", "'")
    assert f'aria-describedby="sim-{field}-problem' in answer.text
    assert 'id="simulation-result"' not in answer.text
    assert ("<html" in answer.text) is not htmx
    if htmx:
        assert answer.headers["X-Evsenet-Swap"] == "report"


FIELD_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["-1", "0", "1e9", "NaN", "99999999999", "24:00", "2027-02-29", "7"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(sorted(SESSION)),
    value=FIELD_TEXT,
)
def test_no_form_value_makes_a_server_error(
    client: TestClient, draft: int, field: str, value: str
) -> None:
    signed_in = CSRF.search(client.get(f"/offers/{draft}/simulator").text)
    token = signed_in.group(1) if signed_in else sign_in(client)
    status, text = _simulate(client, draft, token, htmx=True, **{field: value})
    assert status < 500, text
    assert ("field-problem" in text or 'class="problem"' in text) == (status >= 400)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("GET", "/evses?q=E1"),
        ("GET", "/zone?evse_id=DE*ABC*E1"),
        ("POST", ""),
    ],
    ids=["page", "choices", "zone", "simulate"],
)
def test_another_operators_offer_is_a_404(
    client: TestClient, draft: int, method: str, path: str
) -> None:
    token = sign_in(client, "ops@evn.example")
    if method == "GET":
        answer = client.get(f"/offers/{draft}/simulator{path}")
    else:
        answer = client.post(
            f"/offers/{draft}/simulator",
            data={"csrf_token": token, **SESSION, "evse_id": "NL*EVN*E1"},
        )
    assert answer.status_code == 404
    assert "Berlin" not in answer.text
    assert "DE*ABC*E" not in answer.text


def test_simulating_needs_the_session_csrf_token(client: TestClient, draft: int) -> None:
    sign_in(client)
    answer = client.post(f"/offers/{draft}/simulator", data=SESSION)
    assert answer.status_code == 403
    assert "16.65" not in answer.text


def test_the_offer_pages_link_to_the_simulator(client: TestClient, draft: int) -> None:
    sign_in(client)
    for path in ("/tariffs", "/versions"):
        assert f'href="/offers/{draft}/simulator"' in client.get(f"/offers/{draft}{path}").text
