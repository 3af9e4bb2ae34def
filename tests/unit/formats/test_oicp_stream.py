"""The streamed OICP reader gives the batch the whole-body reader gives, in less memory."""

from __future__ import annotations

import io
import json
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsenet.domain.errors import DomainError
from evsenet.formats.oicp import read_oicp_push_bytes
from evsenet.formats.oicp_stream import read_oicp_push_file
from tests.api.conftest import oicp_record


def envelope(records: list[Any], action: str = "insert", **extra: Any) -> dict[str, Any]:
    return {
        "ActionType": action,
        "OperatorEvseData": {"OperatorID": "DE*ABC", "EvseDataRecord": records, **extra},
    }


def both(data: bytes) -> tuple[Any, Any]:
    """What each reader makes of `data`: its batch, or the code and message it refuses with."""
    results: list[Any] = []
    for read in (read_oicp_push_bytes, lambda d: read_oicp_push_file(io.BytesIO(d))):
        try:
            results.append(read(data))
        except DomainError as error:
            results.append((error.code, error.message.split(":")[0]))
    return results[0], results[1]


RECORDS = [oicp_record(f"DE*ABC*E{n}") for n in range(3)]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(json.dumps(envelope(RECORDS)).encode(), id="usual"),
        pytest.param(json.dumps(envelope(RECORDS, "delete")).encode(), id="delete"),
        pytest.param(json.dumps(envelope(RECORDS, "fullLoad")).encode(), id="full-load"),
        pytest.param(b"\xef\xbb\xbf" + json.dumps(envelope(RECORDS)).encode(), id="bom"),
        pytest.param(
            json.dumps(
                {
                    "OperatorEvseData": {"EvseDataRecord": RECORDS, "OperatorID": "DE*ABC"},
                    "ActionType": "insert",
                }
            ).encode(),
            id="envelope-after-the-records",
        ),
        pytest.param(json.dumps(envelope([1, "x", None, [], RECORDS[0]])).encode(), id="odd"),
        pytest.param(json.dumps(envelope([], "fullLoad")).encode(), id="empty-full-load"),
        pytest.param(json.dumps(envelope(RECORDS, "merge")).encode(), id="unknown-action"),
        pytest.param(
            b'{"ActionType": "insert", "ActionType": "fullLoad", "OperatorEvseData": '
            b'{"OperatorID": "DE*ABC", "EvseDataRecord": []}}',
            id="repeated-action",
        ),
        pytest.param(
            b'{"ActionType": "insert", "OperatorEvseData": {"OperatorID": "DE*ABC", '
            b'"EvseDataRecord": [{"EvseID": "DE*ABC*E1", "EvseID": "DE*ABC*E2"}]}}',
            id="repeated-key-in-a-record",
        ),
        pytest.param(json.dumps(envelope(RECORDS)).encode() + b" trailing", id="trailing"),
        pytest.param(json.dumps(envelope(RECORDS)).encode()[:-30], id="truncated"),
        pytest.param(
            json.dumps(envelope([oicp_record("DE*ABC*E\ud800")])).encode(), id="lone-surrogate"
        ),
        pytest.param(json.dumps(envelope(RECORDS, OperatorID="")).encode(), id="empty-operator"),
        pytest.param(b"[]", id="array"),
        pytest.param(b"", id="empty"),
        pytest.param(json.dumps(envelope(RECORDS)).encode("utf-16"), id="utf-16"),
    ],
)
def test_the_streamed_reader_reads_what_the_whole_body_reader_reads(data: bytes) -> None:
    whole, streamed = both(data)
    assert streamed == whole


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.decimals(allow_nan=False, allow_infinity=False, places=6).map(Decimal)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = st.sampled_from(
    ["EvseID", "ChargingStationID", "Address", "GeoCoordinates", "ChargingFacilities", "Plugs"]
)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda record, changes: {**record, **changes},
            st.sampled_from(RECORDS),
            st.dictionaries(FIELDS, JSON_VALUES, max_size=2),
        ),
        max_size=4,
    ),
    st.sampled_from(["insert", "update", "delete", "fullLoad"]),
)
def test_any_records_read_alike_streamed_and_whole(records: list[Any], action: str) -> None:
    data = _dumps(envelope(records, action)).encode()
    whole, streamed = both(data)
    assert streamed == whole


def _peak_bytes(read: Any, data: bytes) -> int:
    tracemalloc.start()
    try:
        read(data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_streamed_reader_holds_records_not_the_json_tree() -> None:
    data = json.dumps(envelope([oicp_record(f"DE*ABC*E{n}") for n in range(20_000)])).encode()
    whole = _peak_bytes(read_oicp_push_bytes, data)
    streamed = _peak_bytes(lambda d: read_oicp_push_file(io.BytesIO(d)), data)
    assert streamed < 0.6 * whole, (streamed / len(data), whole / len(data))
    assert streamed < 2 * len(data)
