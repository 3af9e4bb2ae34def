"""EVSE lists out as evsenet CSV (docs/csv-format.md), in the import format: a file the
export writes imports again unchanged.

UTF-8 with a byte order mark (so that Excel reads `Köln` as UTF-8; the import accepts
it), `,`-separated, `\\r\\n` line ends (RFC 4180), quoted where a cell needs it, the header
of `COLUMNS`. Numbers in plain notation with the stored decimals (`22.00`, `50.936810`),
the EVSE ID as the operator sent it, the country as ISO alpha-3, the time zone always
named. Every cell a spreadsheet would evaluate is neutralised
(`evsenet.formats.spreadsheet`). The text comes in chunks, never as one string, so that a
list of any length is written in bounded memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from evsenet.domain.evse import EvseRecord
from evsenet.formats._tabular import BOM
from evsenet.formats.csv import COLUMNS, PLUG_SEPARATOR
from evsenet.formats.spreadsheet import neutralise

MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
ROWS_PER_CHUNK = 500


def csv_cells(record: EvseRecord) -> list[str]:
    """The cells of one record, in `COLUMNS` order, neutralised for spreadsheets."""
    cells = (
        record.evse_id.sent,
        record.charging_station_id,
        record.country,
        record.city,
        record.postal_code,
        record.street,
        record.house_number,
        format(record.latitude, "f"),
        format(record.longitude, "f"),
        record.power_type.value,
        format(record.output_kw, "f"),
        PLUG_SEPARATOR.join(record.plugs),
        record.time_zone,
    )
    return [neutralise(cell) for cell in cells]


def write_evse_csv(records: Iterable[EvseRecord], *, bom: bool = True) -> Iterator[str]:
    """The CSV text of `records`: the header first, then chunks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield (BOM if bom else "") + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for rows, record in enumerate(records, 1):
        writer.writerow(csv_cells(record))
        if rows % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
