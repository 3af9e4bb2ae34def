"""The OICP 2.3 push path (`/api/oicp/evsepush/v23/...`) and its eRoamingAcknowledgement."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.api.conftest import Api

HUBJECT_PUSH = Path("hubject-oicp/OICP-2.3/CPO_code_snippets/eRoamingPushEvseData.request.json")
HUBJECT_ACK = Path("hubject-oicp/OICP-2.3/CPO_code_snippets/eRoamingPushEvseData.response.json")


def assert_ack(body: dict[str, Any], result: bool, code: str) -> str:
    """`body` is an eRoamingAcknowledgement with this result and code; its AdditionalInfo."""
    assert set(body) == {"Result", "StatusCode"}
    assert body["Result"] is result
    assert body["StatusCode"]["Code"] == code
    assert body["StatusCode"]["Description"]
    info: str = body["StatusCode"]["AdditionalInfo"]
    return info


@pytest.mark.peer_data
def test_hubjects_example_push_is_acknowledged_like_hubject_does(api: Api, peer_data: Path) -> None:
    body = (peer_data / HUBJECT_PUSH).read_bytes()
    response = api.oicp_push("DE*ABC", body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    ack = response.json()
    info = assert_ack(ack, True, "000")
    assert "1 inserted" in info
    hubject = (peer_data / HUBJECT_ACK).read_text()
    assert '"Result": true' in hubject
    assert '"Code": "000"' in hubject
    assert api.evse_ids() == ["DE*XYZ*ETEST1"]


def test_the_path_operator_may_be_spelt_without_separator(api: Api) -> None:
    response = api.oicp_push("deabc", api.oicp_body("DE*ABC", [api.record("DE*ABC*E1")]))
    assert_ack(response.json(), True, "000")
    assert api.evse_ids() == ["DE*ABC*E1"]


def test_an_inconsistent_evse_id_is_018_with_every_reason_and_nothing_written(api: Api) -> None:
    records = [
        api.record("DE*ABC*E1"),
        api.record("NL*XYZ*E2"),
        api.record("DE*ABC*E1"),
    ]
    response = api.oicp_push("DE*ABC", api.oicp_body("DE*ABC", records))
    assert response.status_code == 200, "a processed push is HTTP 200, refused or not"
    info = assert_ack(response.json(), False, "018")
    assert "index 1 NL*XYZ*E2: evse_id.operator_mismatch" in info
    assert "evse_id.duplicate_in_batch" in info
    assert "nothing written" in info
    assert api.evse_ids() == []


def test_a_record_with_bad_data_is_022(api: Api) -> None:
    records = [api.record("DE*ABC*E1"), api.record("DE*ABC*E2", Plugs=["Type 99"])]
    response = api.oicp_push("DE*ABC", api.oicp_body("DE*ABC", records))
    info = assert_ack(response.json(), False, "022")
    assert "index 1 DE*ABC*E2: plug.unknown" in info
    assert api.evse_ids() == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "oicp.body.malformed"),
        (b'{"ActionType": "fullLoad"}', "oicp.body.malformed"),
        (
            b'{"ActionType": "fullLoad", "OperatorEvseData": {"OperatorID": "NL*EVN", '
            b'"EvseDataRecord": []}}',
            "batch.operator_mismatch",
        ),
    ],
)
def test_an_unreadable_body_is_400_with_an_acknowledgement(
    api: Api, body: bytes, reason: str
) -> None:
    response = api.oicp_push("DE*ABC", body)
    assert response.status_code == 400
    assert reason in assert_ack(response.json(), False, "022")


@pytest.mark.parametrize("path_operator", ["NL*EVN", "FR*ZZZ", "DE*XYZ", "not-an-id", "DE*ABD"])
def test_a_path_that_names_another_operator_is_not_found(api: Api, path_operator: str) -> None:
    body = api.oicp_body("DE*ABC", [api.record("DE*ABC*E1")])
    response = api.oicp_push(path_operator, body)
    api.problem(response, 404, "operator.not_found")
    assert api.evse_ids() == []


def test_additional_info_keeps_to_oicps_1000_characters(api: Api) -> None:
    """StatusCode.AdditionalInfo is at most 1000 characters in OICP 2.3; a push with many
    refused records names as many as fit and says how many more there are."""
    records = [api.record(f"DE*ABC*E{n}", Plugs=["Type 99"]) for n in range(40)]
    response = api.oicp_push("DE*ABC", api.oicp_body("DE*ABC", records))
    info = assert_ack(response.json(), False, "022")
    assert len(info) <= 1000
    assert info.startswith("40 of 40 records refused, nothing written: index 0 DE*ABC*E0")
    assert "more" in info.rsplit(";", 1)[1]
    assert api.evse_ids() == []


@pytest.mark.parametrize("action", ["fullLoad", "delete"])
def test_a_refused_push_leaves_the_inventory_exactly_as_it_was(api: Api, action: str) -> None:
    assert api.push([api.record(f"DE*ABC*E{n}") for n in range(1, 4)]).status_code == 200
    before = api.get("/api/v1/evses", include_withdrawn="true").json()
    records = [api.record("DE*ABC*E1"), api.record("DE*ABC*E9", ChargingFacilities=[])]
    if action == "delete":
        records = [api.record("DE*ABC*E1"), api.record("NL*EVN*E1")]
    response = api.oicp_push("DE*ABC", api.oicp_body("DE*ABC", records, action))
    assert response.json()["Result"] is False
    assert api.get("/api/v1/evses", include_withdrawn="true").json() == before
