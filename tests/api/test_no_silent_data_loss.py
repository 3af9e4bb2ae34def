"""No silent data loss over HTTP: mass withdrawals need `confirm_withdrawals`, a file
without records is refused; on /api/v1 and on Hubject's OICP path."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.api.conftest import Api

OICP_PATH_OPERATOR = "DE*ABC"


def seed(api: Api, count: int = 4) -> list[str]:
    ids = [f"DE*ABC*E{n}" for n in range(1, count + 1)]
    response = api.push([api.record(evse_id) for evse_id in ids])
    assert response.status_code == 200, response.text
    return ids


def test_a_full_load_withdrawing_most_evses_is_refused_naming_the_count(api: Api) -> None:
    ids = seed(api)
    response = api.push([api.record(ids[0])], action="fullLoad")
    body = api.problem(response, 409, "batch.withdrawals_unconfirmed")
    assert (body["withdrawals"], body["active_evses"]) == (3, 4)
    assert "confirm_withdrawals=3" in body["detail"]
    assert api.evse_ids() == ids, "nothing was written"


def test_the_confirmed_count_lets_the_full_load_withdraw(api: Api) -> None:
    ids = seed(api)
    response = api.push([api.record(ids[0])], action="fullLoad", confirm_withdrawals=3)
    assert response.status_code == 200, response.text
    assert response.json()["withdrawn"] == 3
    assert api.evse_ids() == ids[:1]


@pytest.mark.parametrize("stale", [2, 4, 0])
def test_a_stale_count_is_refused_naming_the_count(api: Api, stale: int) -> None:
    ids = seed(api)
    response = api.push([api.record(ids[0])], action="fullLoad", confirm_withdrawals=stale)
    body = api.problem(response, 409, "batch.withdrawals_mismatch")
    assert body["withdrawals"] == 3
    assert f"({stale})" in body["detail"]
    assert "confirm_withdrawals=3" in body["detail"]
    assert api.evse_ids() == ids


def test_withdrawing_half_needs_no_count(api: Api) -> None:
    ids = seed(api)
    response = api.push([api.record(ids[0]), api.record(ids[1])], action="fullLoad")
    assert response.status_code == 200, response.text
    assert response.json()["withdrawn"] == 2


def test_a_large_delete_is_guarded_too(api: Api) -> None:
    ids = seed(api)
    records = [api.record(evse_id) for evse_id in ids]
    api.problem(api.push(records, action="delete"), 409, "batch.withdrawals_unconfirmed")
    response = api.push(records, action="delete", confirm_withdrawals=4)
    assert response.json()["withdrawn"] == 4


def test_a_negative_count_is_a_request_error(api: Api) -> None:
    seed(api)
    api.problem(api.push([], action="fullLoad", confirm_withdrawals=-1), 422, "request.invalid")


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param("\r\n\r\n\r\n", id="blank-lines"),
        pytest.param(",,,,,,,,,,,,\r\n,,,,,,,,,,,,\r\n", id="comma-only-lines"),
        pytest.param(" , ,\t,\r\n", id="blanks-and-commas"),
        pytest.param("", id="header-only"),
    ],
)
def test_a_csv_file_without_records_is_refused(api: Api, lines: str) -> None:
    ids = seed(api)
    data = api.csv_file() + lines.encode()
    for action in ("upsert", "fullLoad"):
        response = api.import_file(data, action=action)
        api.problem(response, 400, "import.no_records")
    assert api.evse_ids() == ids


def test_a_csv_full_load_withdrawing_all_but_one_needs_the_count(api: Api) -> None:
    ids = seed(api)
    data = api.csv_file(api.csv_row(ids[0]))
    body = api.problem(
        api.import_file(data, action="fullLoad"), 409, "batch.withdrawals_unconfirmed"
    )
    assert body["withdrawals"] == 3
    response = api.import_file(data, action="fullLoad", confirm_withdrawals=3)
    assert response.json()["withdrawn"] == 3


def test_the_oicp_path_refuses_an_empty_full_load_with_a_clear_acknowledgement(api: Api) -> None:
    ids = seed(api)
    body = api.oicp_body("DE*ABC", [], "fullLoad")
    response = api.oicp_push(OICP_PATH_OPERATOR, body)
    assert response.status_code == 200, response.text
    ack = response.json()
    assert ack["Result"] is False
    assert ack["StatusCode"]["Code"] == "022"
    info = ack["StatusCode"]["AdditionalInfo"]
    assert info.startswith("batch.withdrawals_unconfirmed")
    assert "4 of the 4 active EVSEs" in info
    assert "confirm_withdrawals=4" in info
    assert api.evse_ids() == ids


def test_the_oicp_path_takes_the_count_in_its_query(api: Api) -> None:
    seed(api)
    body = api.oicp_body("DE*ABC", [], "fullLoad")
    response = api.oicp_push(OICP_PATH_OPERATOR, body, confirm_withdrawals=4)
    ack = response.json()
    assert ack["Result"] is True, ack
    assert "4 withdrawn" in ack["StatusCode"]["AdditionalInfo"]
    assert api.evse_ids() == []
