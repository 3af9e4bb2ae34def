"""Uploaded files: guessing the format, decoding the text, choosing the reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsenet.domain.errors import DomainError
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import PushAction
from evsenet.formats import SourceRecord
from evsenet.formats.csv import COLUMNS
from evsenet.formats.files import FileFormat, decode_text, guess_format, read_file

OPERATOR = OperatorId.parse("DE*ABC")
EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
OICP_BODY = b'{"ActionType": "insert", "OperatorEvseData": {"OperatorID": "DE*ABC", ' \
    b'"OperatorName": "ABC", "EvseDataRecord": []}}'  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("push.json", b"", FileFormat.OICP),
        ("push.txt", b'  \n{"ActionType": "fullLoad"}', FileFormat.OICP),
        ("register.csv", "\ufeffBetreiber;Straße\n".encode(), FileFormat.BNETZA),
        ("register.csv", b"Titel\n\nBetreiber;Strasse\n", FileFormat.BNETZA),
        ("stations.csv", b"Fuel Type Code,Station Name\n", FileFormat.AFDC),
        ("evses.csv", b"evse_id,charging_station_id\n", FileFormat.CSV),
        ("EVSES.JSON", b"evse_id\n", FileFormat.OICP),
    ],
)
def test_the_format_is_guessed_from_name_and_content(name: str, data: bytes, kind: str) -> None:
    assert guess_format(name, data) is kind


def test_text_is_utf8_with_or_without_a_byte_order_mark() -> None:
    assert decode_text("\ufeffKöln".encode()) == "Köln"
    assert decode_text("Köln".encode()) == "Köln"
    with pytest.raises(DomainError) as caught:
        decode_text("Köln".encode("latin-1"))
    assert caught.value.code == "import.encoding"
    assert "byte 1" in caught.value.message


def test_an_oicp_body_keeps_its_own_action() -> None:
    assert read_file(OICP_BODY, FileFormat.OICP, OPERATOR).action is PushAction.INSERT
    assert read_file(OICP_BODY, FileFormat.OICP, OPERATOR, PushAction.INSERT).items == []
    with pytest.raises(DomainError) as caught:
        read_file(OICP_BODY, FileFormat.OICP, OPERATOR, PushAction.FULL_LOAD)
    assert caught.value.code == "import.action_mismatch"


def test_other_files_default_to_upsert() -> None:
    header = ",".join(COLUMNS).encode()
    assert read_file(header, FileFormat.CSV, OPERATOR).action is PushAction.UPSERT
    assert read_file(header, FileFormat.CSV, OPERATOR, PushAction.DELETE).action is (
        PushAction.DELETE
    )


def test_a_time_zone_applies_to_afdc_exports_only() -> None:
    with pytest.raises(DomainError) as caught:
        read_file(b"evse_id\n", FileFormat.CSV, OPERATOR, time_zone="Europe/Berlin")
    assert caught.value.code == "import.time_zone_not_applicable"


def test_a_file_saved_by_german_excel_is_guessed_and_read_as_evsenet_csv() -> None:
    data = (EXAMPLES / "evses-excel-de.csv").read_bytes()

    kind = guess_format("evses-excel-de.csv", data)
    batch = read_file(data, kind, OPERATOR)

    assert kind is FileFormat.CSV
    assert all(isinstance(item, SourceRecord) for item in batch.items)
    assert len(batch.items) == 5
