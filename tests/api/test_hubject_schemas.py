"""Hubject's EVSE Network bodies: read key for key as Hubject's documentation writes them,
answered with Hubject's keys, and a body of another shape refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from evsenet.api.hubject_schemas import (
    EvseGroupOut,
    EvseNetworkIn,
    EvseNetworkOut,
    NetworkAssignmentIn,
    NetworkAssignmentOut,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hubject" / "networks"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def keys(value: Any) -> Any:
    """The shape of a JSON value: its keys, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return None


def test_the_documented_create_body_is_read_field_for_field() -> None:
    body = EvseNetworkIn.model_validate(fixture("create.request.json"))
    assert body.evse_network_name == "Rhein-Ruhr public"
    assert body.evse_network_description == "Public sites along the Rhine, priced per site type"
    ac, dc = body.evse_groups
    assert (ac.group_name, ac.group_description) == ("AC street", "Three-phase AC at the kerb")
    assert ac.evse_ids == ["DE*ABC*E100001*1", "DE*ABC*E100001*2"]
    assert (dc.group_name, dc.group_description, dc.evse_ids) == (
        "DC hub",
        None,
        ["DE*XYZ*E200001*1"],
    )


def test_the_documented_assignment_body_is_read_field_for_field() -> None:
    body = NetworkAssignmentIn.model_validate(fixture("assign.request.json"))
    assert body.network_name == "Rhein-Ruhr public"
    assert body.assignments() == [("AC street", ["DE*ABC*E100002*1"])]


def test_the_create_answer_has_hubjects_keys_exactly() -> None:
    answer = EvseNetworkOut(
        id="7",
        evse_network_name="Rhein-Ruhr public",
        evse_network_description="Public sites along the Rhine, priced per site type",
        evse_groups=[
            EvseGroupOut(
                id="11",
                group_name="AC street",
                group_description="Three-phase AC at the kerb",
                evse_ids=["DE*ABC*E100001*1"],
            ),
            EvseGroupOut(id="12", group_name="DC hub", group_description=None, evse_ids=[]),
        ],
        created_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )
    dumped = answer.model_dump(mode="json", by_alias=True)
    assert keys(dumped) == keys(fixture("create.response.json"))
    assert dumped["evseGroups"][1]["groupDescription"] is None
    assert datetime.fromisoformat(dumped["createdAt"]) == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_the_assignment_answer_names_each_group_once_in_the_order_asked() -> None:
    answer = NetworkAssignmentOut.of(
        "Rhein-Ruhr public",
        ["AC street", "DC hub", "AC street"],
        {"DC hub": ["DE*XYZ*E200001*1"], "AC street": ["DE*ABC*E1", "DE*ABC*E2"]},
    )
    dumped = answer.model_dump(mode="json", by_alias=True)
    assert keys(dumped) == keys(fixture("assign.response.json"))
    assert [group["GroupName"] for group in dumped["GroupsAssignments"]] == ["AC street", "DC hub"]
    assert dumped["GroupsAssignments"][0]["Evses"] == ["DE*ABC*E1", "DE*ABC*E2"]


GOOD_CREATE = {"evseNetworkName": "N", "evseGroups": [{"groupName": "G", "evseIds": []}]}
GOOD_ASSIGN = {"NetworkName": "N", "GroupsAssignments": [{"GroupName": "G", "Evses": []}]}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty-object"),
        pytest.param([], id="a-list"),
        pytest.param({"evseGroups": []}, id="no-network-name"),
        pytest.param({"evseNetworkName": "N"}, id="no-groups"),
        pytest.param({**GOOD_CREATE, "evseNetworkName": 7}, id="name-a-number"),
        pytest.param({**GOOD_CREATE, "evseNetworkName": None}, id="name-null"),
        pytest.param({**GOOD_CREATE, "evseGroups": {"groupName": "G"}}, id="groups-an-object"),
        pytest.param({**GOOD_CREATE, "evseGroups": [{"evseIds": []}]}, id="group-without-name"),
        pytest.param({**GOOD_CREATE, "evseGroups": [{"groupName": "G"}]}, id="group-without-ids"),
        pytest.param(
            {**GOOD_CREATE, "evseGroups": [{"groupName": "G", "evseIds": "DE*ABC*E1"}]},
            id="ids-a-string",
        ),
        pytest.param(
            {**GOOD_CREATE, "evseGroups": [{"groupName": "G", "evseIds": [1]}]},
            id="id-a-number",
        ),
        pytest.param({**GOOD_CREATE, "networkName": "N"}, id="unknown-key"),
        pytest.param(
            {"evse_network_name": "N", "evse_groups": []}, id="snake-case-keys-are-not-hubjects"
        ),
        pytest.param(GOOD_ASSIGN, id="the-assignment-body"),
    ],
)
def test_a_create_body_of_another_shape_is_refused(body: Any) -> None:
    with pytest.raises(ValidationError):
        EvseNetworkIn.model_validate(body)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty-object"),
        pytest.param({"GroupsAssignments": []}, id="no-network-name"),
        pytest.param({"NetworkName": "N"}, id="no-assignments"),
        pytest.param({**GOOD_ASSIGN, "GroupsAssignments": [{"Evses": []}]}, id="no-group-name"),
        pytest.param({**GOOD_ASSIGN, "GroupsAssignments": [{"GroupName": "G"}]}, id="no-evses"),
        pytest.param(
            {"networkName": "N", "groupsAssignments": []}, id="camel-case-keys-are-not-hubjects"
        ),
        pytest.param({**GOOD_ASSIGN, "Extra": True}, id="unknown-key"),
        pytest.param(GOOD_CREATE, id="the-create-body"),
    ],
)
def test_an_assignment_body_of_another_shape_is_refused(body: Any) -> None:
    with pytest.raises(ValidationError):
        NetworkAssignmentIn.model_validate(body)
