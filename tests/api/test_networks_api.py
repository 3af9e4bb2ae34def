"""`/api/v1/networks` and `/api/v1/audit` end to end through HTTP (SQLite and PostgreSQL):
what a client sees when it builds a network, fills its groups and pages through its lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.api.conftest import Api

A_EVSES = [f"DE*ABC*E{n}" for n in range(1, 8)]


@pytest.fixture
def filled(api: Api) -> Api:
    records = [
        api.record(evse_id, ChargingFacilities=[{"PowerType": power, "Power": kw}])
        for evse_id, power, kw in zip(
            A_EVSES,
            ["DC", "DC", "AC_3_PHASE", "DC", "AC_1_PHASE", "DC", "AC_3_PHASE"],
            [150, 50, 22, 300, 11, 150, 22],
            strict=True,
        )
    ]
    assert api.push(records).status_code == 200
    return api


def call(api: Api, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = api.client.request(method, path, json=body, headers=api.auth(api.A))
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def test_a_network_is_built_filled_listed_and_audited(filled: Api) -> None:
    api = filled
    created = api.client.post(
        "/api/v1/networks",
        json={"name": " Fast DC ", "description": "HPC"},
        headers=api.auth(api.A),
    )
    assert created.status_code == 201
    network = created.json()
    assert (network["name"], network["status"]) == ("Fast DC", "draft")
    assert created.headers["location"] == f"/api/v1/networks/{network['id']}"
    base = f"/api/v1/networks/{network['id']}"
    hpc = call(api, "POST", base + "/groups", {"name": "HPC"}, 201)
    rest = call(api, "POST", base + "/groups", {"name": "Rest"}, 201)

    by_filter = {"group_id": hpc["id"], "filter": {"power_type": "DC", "min_output_kw": "100"}}
    assert call(api, "POST", base + "/assignments", by_filter) == {
        "assigned": 3,
        "moved": 0,
        "unchanged": 0,
        "unassigned": 0,
    }
    by_ids = {"group_name": "rest", "evse_ids": ["DE*ABC*E2", "de*abc*e4"]}
    report = call(api, "POST", base + "/assignments", by_ids)
    assert (report["assigned"], report["moved"]) == (1, 1)

    detail = call(api, "GET", base)
    assert [(g["name"], g["evse_count"]) for g in detail["groups"]] == [("HPC", 2), ("Rest", 2)]
    [summary] = call(api, "GET", "/api/v1/networks")["items"]
    assert (summary["group_count"], summary["evse_count"]) == (2, 4)

    unassigned = call(api, "GET", base + "/evses?assigned=false&limit=2")
    assert unassigned["total"] == 3
    first = [item["evse_id"] for item in unassigned["items"]]
    after = call(
        api, "GET", base + f"/evses?assigned=false&limit=2&cursor={unassigned['next_cursor']}"
    )
    assert after["next_cursor"] is None
    assert first + [item["evse_id"] for item in after["items"]] == [
        "DE*ABC*E3",
        "DE*ABC*E5",
        "DE*ABC*E7",
    ]

    assigned = call(
        api, "GET", base + f"/evses?assigned=true&group_id={rest['id']}&sort=output_kw&order=desc"
    )
    assert [(i["evse_id"], i["output_kw"], i["group_name"]) for i in assigned["items"]] == [
        ("DE*ABC*E4", "300.00", "Rest"),
        ("DE*ABC*E2", "50.00", "Rest"),
    ]
    assert assigned["group_counts"] == {str(hpc["id"]): 2, str(rest["id"]): 2}

    call(api, "DELETE", base + "/assignments", {"filter": {"group_id": rest["id"]}})
    renamed = call(api, "PATCH", base + f"/groups/{hpc['id']}", {"name": "Ultra"})
    assert (renamed["name"], renamed["evse_count"]) == ("Ultra", 2)
    assert call(api, "DELETE", base + f"/groups/{hpc['id']}") == {"unassigned": 2}
    call(api, "PATCH", base, {"description": None})
    assert call(api, "GET", base)["description"] == ""
    call(api, "DELETE", base, status=204)

    audit = call(api, "GET", "/api/v1/audit?limit=3")
    assert [entry["action"] for entry in audit["items"]] == [
        "network.deleted",
        "network.updated",
        "group.deleted",
    ]
    assert audit["total"] == 10
    assert {entry["actor"] for entry in audit["items"]} == {"tests"}
    everything = call(api, "GET", "/api/v1/audit?offset=6&limit=1")["items"][0]
    assert (everything["action"], everything["evse_ids_total"]) == ("evses.assigned", 3)
    assert everything["evse_ids"] == ["DE*ABC*E1", "DE*ABC*E4", "DE*ABC*E6"]


def test_an_active_network_keeps_its_assignments_through_the_api(filled: Api) -> None:
    from evsenet.domain.network import Actor
    from evsenet.services.networks import activate_network

    api = filled
    network = call(api, "POST", "/api/v1/networks", {"name": "Live"}, 201)["id"]
    group = call(api, "POST", f"/api/v1/networks/{network}/groups", {"name": "G"}, 201)["id"]
    body = {"group_id": group, "evse_ids": ["DE*ABC*E1"]}
    call(api, "POST", f"/api/v1/networks/{network}/assignments", body)
    activate_network(api.store, api.A, network, actor=Actor.system())
    later = call(api, "POST", f"/api/v1/networks/{network}/groups", {"name": "Later"}, 201)
    refused = api.client.post(
        f"/api/v1/networks/{network}/assignments",
        json={"group_id": later["id"], "evse_ids": ["DE*ABC*E2", "DE*ABC*E1"]},
        headers=api.auth(api.A),
    )
    problem = api.problem(refused, 409, "assignment.refused")
    assert problem["errors"] == [
        {
            "index": 1,
            "evse_id": "DE*ABC*E1",
            "code": "evse.assigned_in_active_network",
            "message": problem["errors"][0]["message"],
        }
    ]
    assert call(api, "GET", f"/api/v1/networks/{network}")["evse_count"] == 1


def test_the_openapi_document_describes_every_network_path(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    expected = {
        "/api/v1/networks": {"get", "post"},
        "/api/v1/networks/{network_id}": {"get", "patch", "delete"},
        "/api/v1/networks/{network_id}/groups": {"get", "post"},
        "/api/v1/networks/{network_id}/groups/{group_id}": {"patch", "delete"},
        "/api/v1/networks/{network_id}/evses": {"get"},
        "/api/v1/networks/{network_id}/assignments": {"post", "delete"},
        "/api/v1/audit": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
    responses = paths["/api/v1/networks/{network_id}/assignments"]["post"]["responses"]
    assert {"200", "404", "409", "422"} <= set(responses)
