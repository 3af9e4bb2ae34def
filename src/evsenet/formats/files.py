"""Files of EVSE records as operators upload them: which format, what text, which reader."""

from __future__ import annotations

import io
from enum import StrEnum

from evsenet.domain.errors import DomainError
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch
from evsenet.formats.afdc import read_afdc
from evsenet.formats.bnetza import read_bnetza
from evsenet.formats.csv import read_evse_csv
from evsenet.formats.oicp_stream import read_oicp_push_file

SNIFF_BYTES = 65_536
SNIFF_LINES = 20


class FileFormat(StrEnum):
    OICP = "oicp"
    CSV = "csv"
    BNETZA = "bnetza"
    AFDC = "afdc"


def guess_format(name: str, data: bytes) -> FileFormat:
    """JSON is an OICP push; a `Betreiber` header the BNetzA register; `Fuel Type Code`
    an AFDC export; anything else evsenet's CSV."""
    head = data[:SNIFF_BYTES].decode("utf-8-sig", errors="replace").lstrip()
    if name.lower().endswith(".json") or head.startswith(("{", "[")):
        return FileFormat.OICP
    lines = head.splitlines()[:SNIFF_LINES]
    if any("Betreiber" in line for line in lines):
        return FileFormat.BNETZA
    if lines and "Fuel Type Code" in lines[0]:
        return FileFormat.AFDC
    return FileFormat.CSV


def decode_text(data: bytes) -> str:
    """A file's text: UTF-8, with or without a byte order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(
            "import.encoding",
            f"The file is not UTF-8 text (byte {error.start} cannot be read); save it as "
            "UTF-8 (CSV UTF-8 in spreadsheet programs) and send it again",
        ) from None


def read_file(
    data: bytes,
    kind: FileFormat,
    operator: OperatorId,
    action: PushAction | None = None,
    time_zone: str | None = None,
) -> ParsedBatch:
    """Read a file in its format. The action defaults to upsert; an OICP body names its own
    (a different `action` is refused). `time_zone` applies to AFDC exports only."""
    if time_zone and kind is not FileFormat.AFDC:
        raise DomainError(
            "import.time_zone_not_applicable",
            f"A time zone for the whole file applies to AFDC exports, not to {kind} files",
        )
    if kind is FileFormat.OICP:
        return _oicp_batch(data, action)
    text, chosen = decode_text(data), action or PushAction.UPSERT
    if kind is FileFormat.BNETZA:
        return read_bnetza(text, operator, chosen)
    if kind is FileFormat.AFDC:
        return read_afdc(text, operator, chosen, time_zone=time_zone)
    return read_evse_csv(text, chosen)


def _oicp_batch(data: bytes, action: PushAction | None) -> ParsedBatch:
    batch = read_oicp_push_file(io.BytesIO(data))
    if action is not None and action is not batch.action:
        raise DomainError(
            "import.action_mismatch",
            f"The OICP body's ActionType is {batch.action}; action {action} cannot change it "
            "(leave the action out, or edit the body)",
        )
    return batch
