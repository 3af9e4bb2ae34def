"""Hubject's EVSE Network API on Hubject's paths, on SQLite and PostgreSQL: a client
written against Hubject's documentation works unchanged apart from the bearer token, and
the assignment rule is Hubject's (draft: overwrite; active: only unassigned EVSEs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from evsenet.domain.network import Actor
from evsenet.services.networks import activate_network, get_network

if TYPE_CHECKING:
    from httpx2 import Response

    from tests.api.conftest import Api

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hubject" / "networks"
CREATE = "/api/evsenetwork/v1/operators/{operator}/networks"
ASSIGN = "/api/evsenetwork/v1/operators/{operator}/network"
EVSES = ["DE*ABC*E100001*1", "DE*ABC*E100001*2", "DE*XYZ*E200001*1", "DE*ABC*E100002*1"]
SERVER_VALUE = "<"
"""Fixture values the server chooses (ids, times) start with this."""


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def send(
    api: Api, method: str, path: str, body: Any, operator: str = "DE*ABC", as_: str = "DE*ABC"
) -> Response:
    """`body` as Hubject's clients send it: JSON, with the bearer token as the only change."""
    response: Response = api.client.request(
        method,
        path.format(operator=operator),
        content=json.dumps(body).encode(),
        headers={**api.auth(as_), "Content-Type": "application/json"},
    )
    return response


def matches(answer: Any, expected: Any) -> None:
    """`answer` equals the documented `expected` body, where the server's own values (ids,
    times) are strings of the right kind."""
    if isinstance(expected, str) and expected.startswith(SERVER_VALUE):
        assert isinstance(answer, str), answer
        if "date-time" in expected:
            assert datetime.fromisoformat(answer).utcoffset() == timedelta(0)
        else:
            assert answer.isdigit(), answer
        return
    if isinstance(expected, dict):
        assert isinstance(answer, dict), answer
        assert list(answer) == list(expected)
        for key, value in expected.items():
            matches(answer[key], value)
        return
    if isinstance(expected, list):
        assert isinstance(answer, list), answer
        assert len(answer) == len(expected), answer
        for got, want in zip(answer, expected, strict=True):
            matches(got, want)
        return
    assert answer == expected


@pytest.fixture
def hubject(api: Api) -> Api:
    """A owns the EVSEs of the example bodies (DE*XYZ is its sub-operator)."""
    assert api.push([api.record(evse_id) for evse_id in EVSES]).status_code == 200
    return api


def create_example(api: Api) -> dict[str, Any]:
    response = send(api, "POST", CREATE, fixture("create.request.json"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_documented_create_request_is_answered_as_documented(hubject: Api) -> None:
    before = datetime.now(UTC)
    answer = create_example(hubject)
    matches(answer, fixture("create.response.json"))
    assert before - timedelta(seconds=5) <= datetime.fromisoformat(answer["createdAt"])
    network = get_network(hubject.store, "DE*ABC", int(answer["id"]))
    assert network.status.value == "draft"
    assert [(g.id, g.name, g.evse_count) for g in network.groups] == [
        (int(answer["evseGroups"][0]["id"]), "AC street", 2),
        (int(answer["evseGroups"][1]["id"]), "DC hub", 1),
    ]


def test_the_documented_assignment_is_answered_with_every_evse_of_the_group(hubject: Api) -> None:
    create_example(hubject)
    response = send(hubject, "PUT", ASSIGN, fixture("assign.request.json"))
    assert response.status_code == 200, response.text
    assert response.json() == fixture("assign.response.json")


def test_a_draft_network_moves_an_evse_named_for_another_group(hubject: Api) -> None:
    create_example(hubject)
    body = {
        "NetworkName": "Rhein-Ruhr public",
        "GroupsAssignments": [{"GroupName": "DC hub", "Evses": ["DE*ABC*E100001*2"]}],
    }
    response = send(hubject, "PUT", ASSIGN, body)
    assert response.status_code == 200, response.text
    assert response.json()["GroupsAssignments"] == [
        {"GroupName": "DC hub", "Evses": ["DE*ABC*E100001*2", "DE*XYZ*E200001*1"]}
    ]
    groups = {g.name: g.evse_count for g in get_network(hubject.store, "DE*ABC", 1).groups}
    assert groups == {"AC street": 1, "DC hub": 2}


def test_an_active_network_takes_only_unassigned_evses_and_keeps_earlier_ones(
    hubject: Api,
) -> None:
    network_id = int(create_example(hubject)["id"])
    activate_network(hubject.store, "DE*ABC", network_id, actor=Actor.system())
    body = {
        "NetworkName": "rhein-ruhr PUBLIC",
        "GroupsAssignments": [
            {"GroupName": "dc HUB", "Evses": ["DE*ABC*E100001*2", "de*abc*e100002*1"]}
        ],
    }
    response = send(hubject, "PUT", ASSIGN, body)
    assert response.status_code == 200, response.text
    assert response.json()["GroupsAssignments"] == [
        {"GroupName": "DC hub", "Evses": ["DE*ABC*E100002*1", "DE*XYZ*E200001*1"]}
    ]
    groups = {g.name: g.evse_count for g in get_network(hubject.store, "DE*ABC", network_id).groups}
    assert groups == {"AC street": 2, "DC hub": 2}, "the earlier assignment stays"


def test_group_names_in_the_assignment_ignore_letter_case_and_are_answered_as_they_are(
    hubject: Api,
) -> None:
    create_example(hubject)
    body = {
        "NetworkName": "Rhein-Ruhr public",
        "GroupsAssignments": [
            {"GroupName": "ac street", "Evses": ["DE*ABC*E100002*1"]},
            {"GroupName": "DC HUB", "Evses": []},
        ],
    }
    response = send(hubject, "PUT", ASSIGN, body)
    assert response.status_code == 200, response.text
    names = [group["GroupName"] for group in response.json()["GroupsAssignments"]]
    assert names == ["AC street", "DC hub"]


def test_a_network_without_groups_or_descriptions_is_created(hubject: Api) -> None:
    response = send(hubject, "POST", CREATE, {"evseNetworkName": "Empty", "evseGroups": []})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["evseNetworkDescription"] is None
    assert body["evseGroups"] == []


def test_a_refused_evse_is_named_with_its_reason_and_nothing_is_written(hubject: Api) -> None:
    body = fixture("create.request.json")
    body["evseGroups"][1]["evseIds"].append("DE*ABC*E404")
    response = send(hubject, "POST", CREATE, body)
    problem = hubject.problem(response, 409, "assignment.refused")
    assert [(e["evse_id"], e["code"], e["index"]) for e in problem["errors"]] == [
        ("DE*ABC*E404", "evse.unknown", 3)
    ]
    assert hubject.get("/api/v1/evses/DE*ABC*E100001*1").status_code == 200
    again = send(hubject, "POST", CREATE, fixture("create.request.json"))
    assert again.status_code == 201, "the refused request left no network behind"
