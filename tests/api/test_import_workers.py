"""Bodies spooled to a file are pushed and imported by a worker process of the pool
(`api/import_workers.py`), with the same answers as in the server: the summary, refusals
record by record, the withdrawal guard, OICP acknowledgements, all or nothing, tenants
apart. Every body here is larger than SPOOL_IN_MEMORY, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import signal
import tempfile
from typing import TYPE_CHECKING, Any

from evsenet.api.bodies import SPOOL_IN_MEMORY
from evsenet.api.import_workers import WORKERS, shareable, spooled_path
from evsenet.domain.errors import REPORT_LIMIT
from evsenet.store.engine import Store

if TYPE_CHECKING:
    from tests.api.conftest import Api

LARGE = 4_000
"""Records in a body larger than SPOOL_IN_MEMORY."""


def _records(api: Api, count: int, prefix: str = "DE*ABC*E") -> list[dict[str, Any]]:
    return [api.record(f"{prefix}{number:06d}") for number in range(count)]


def _large(body: bytes) -> bytes:
    assert len(body) > SPOOL_IN_MEMORY
    return body


def _ran_in_a_worker() -> None:
    assert WORKERS.pids(), "no worker process ran the write"
    assert os.getpid() not in WORKERS.pids()


def test_a_large_push_is_applied_by_a_worker_process(api: Api) -> None:
    records = _records(api, LARGE)
    _large(api.oicp_body(api.A, records))
    response = api.push(records)
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == LARGE
    assert response.json()["committed"] is True
    _ran_in_a_worker()
    assert len(api.evse_ids()) == 1000  # the first page
    assert api.evse_ids(api.B) == []


def test_a_large_push_with_one_invalid_record_is_refused_whole(api: Api) -> None:
    records = _records(api, LARGE)
    records[1234] = api.record("DE*ABC*E999999", Plugs=["Warp Drive"])
    response = api.push(records)
    body = api.problem(response, 422, "batch.rejected")
    assert [error["index"] for error in body["errors"]] == [1234]
    assert body["errors"][0]["evse_id"] == "DE*ABC*E999999"
    _ran_in_a_worker()
    assert api.evse_ids() == []


def test_a_large_full_load_that_withdraws_most_evses_needs_the_count(api: Api) -> None:
    assert api.push(_records(api, LARGE)).status_code == 200
    kept = _records(api, 10)
    padding = _records(api, LARGE, prefix="DE*ABC*E9")  # new EVSEs: the body stays large
    response = api.push(kept + padding, action="fullLoad")
    body = api.problem(response, 409, "batch.withdrawals_unconfirmed")
    assert body["withdrawals"] == LARGE - 10
    assert body["active_evses"] == LARGE
    _ran_in_a_worker()
    confirmed = api.push(kept + padding, action="fullLoad", confirm_withdrawals=LARGE - 10)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["withdrawn"] == LARGE - 10


def test_a_large_push_naming_another_operator_is_refused(api: Api) -> None:
    response = api.push(_records(api, LARGE, prefix="NL*EVN*E"), body_operator=api.B)
    api.problem(response, 400, "batch.operator_mismatch")
    assert api.evse_ids(api.B) == []


def test_a_large_csv_import_lists_the_first_thousand_refusals(api: Api) -> None:
    rows = [api.csv_row(f"DE*ABC*E{n}", output="-1") for n in range(12_000)]
    response = api.import_file(_large(api.csv_file(*rows)))
    body = api.problem(response, 422, "batch.rejected")
    assert len(body["errors"]) == REPORT_LIMIT
    assert body["errors_not_shown"] == 12_000 - REPORT_LIMIT
    _ran_in_a_worker()
    assert api.evse_ids() == []


def test_a_large_csv_import_is_applied(api: Api) -> None:
    rows = [api.csv_row(f"DE*ABC*E{n}") for n in range(12_000)]
    response = api.import_file(_large(api.csv_file(*rows)), action="insert")
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 12_000


def test_a_large_oicp_push_with_a_bad_evse_id_is_acknowledged_018(api: Api) -> None:
    records = _records(api, LARGE)
    records[7]["EvseID"] = "DE*ABC*X"
    response = api.oicp_push(api.A, _large(api.oicp_body(api.A, records)))
    assert response.status_code == 200, response.text
    status = response.json()["StatusCode"]
    assert response.json()["Result"] is False
    assert status["Code"] == "018"
    assert "DE*ABC*X" in status["AdditionalInfo"]
    _ran_in_a_worker()
    assert api.evse_ids() == []


def test_a_large_oicp_push_is_acknowledged_000(api: Api) -> None:
    response = api.oicp_push(api.A, _large(api.oicp_body(api.A, _records(api, LARGE))))
    assert response.status_code == 200, response.text
    assert response.json()["Result"] is True
    assert response.json()["StatusCode"]["Code"] == "000"


def test_a_push_whose_worker_died_answers_503_writes_nothing_and_can_be_sent_again(
    api: Api,
) -> None:
    records = _records(api, LARGE)
    for pid in WORKERS.start():
        os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
    response = api.push(records)
    api.problem(response, 503, "write.worker_lost")
    assert response.headers["Retry-After"] == "1"
    assert api.evse_ids() == []
    again = api.push(records)
    assert again.status_code == 200, again.text
    assert again.json()["inserted"] == LARGE
    _ran_in_a_worker()


def test_only_a_body_on_disk_of_a_shared_database_goes_to_a_worker() -> None:
    with tempfile.SpooledTemporaryFile(max_size=100) as spooled:
        spooled.write(b"x" * 10)
        assert spooled_path(spooled) is None
        spooled.write(b"x" * 1000)  # rolled over to an unlinked file
        path = spooled_path(spooled)
        assert path is not None
        with open(path, "rb") as reopened:
            assert reopened.read() == b"x" * 1010
    assert spooled_path(io.BytesIO(b"{}")) is None
    assert not shareable(Store("sqlite://"))
