"""Reading an OICP push body record by record, without building the whole JSON tree.

`json.loads` of a 256 MiB push builds every record's objects at once, about four times
the body in memory, before the first record is read. `read_oicp_push_file` reads the
body from a (spooled) file instead: a first look reads the envelope (`ActionType`,
`OperatorEvseData.OperatorID`) up to the `EvseDataRecord` array, then the records are
parsed one at a time (ijson, on the yajl C parser) and each becomes its raw record at
once; only the raw records stay. Values that repeat across records (country, power
type, plugs, time zone, offset) share one string per batch.

The body is read whole, with `read_oicp_push_bytes`'s exact messages, when the streamed
path cannot promise the same answer:
- the envelope is not the usual one before the records (`ActionType` or `OperatorID`
  after the `EvseDataRecord` array, or anything malformed before it);
- the body escapes half a UTF-16 surrogate pair (`\\ud800`), which yajl reads differently
  from Python's json (evsenet refuses such text per record).

A key named twice in one object refuses the body on both paths; the streamed path checks
the records and the envelope before the records (after the array, only the JSON syntax).
"""

from __future__ import annotations

import re
from typing import IO

import ijson

from evsenet.domain.errors import DomainError
from evsenet.domain.evse import EvseInput
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch, SourceRecord
from evsenet.formats.oicp import (
    BODY_MALFORMED,
    INDEX,
    OICP_ACTIONS,
    _item,
    _read_evse_id,
    _read_record,
    check_utf8_json,
    read_oicp_push_bytes,
)

RECORDS = "OperatorEvseData.EvseDataRecord"
BOM = b"\xef\xbb\xbf"
SCAN_CHUNK = 1024 * 1024
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def _objects_noting_repeats(repeated: list[str]) -> type[dict[str, object]]:
    """A JSON object type that notes in `repeated` every key named twice in one object.

    It notes rather than raises: the C parser that builds the objects does not pass an
    exception raised while it sets a key on.
    """

    class NotingRepeats(dict[str, object]):
        __slots__ = ()

        def __setitem__(self, key: str, value: object) -> None:
            if key in self:
                repeated.append(key)
            super().__setitem__(key, value)

    return NotingRepeats


def _has_surrogate_escape(file: IO[bytes]) -> bool:
    """Whether the body escapes a UTF-16 surrogate (`\\ud800`…`\\udfff`), chunk by chunk."""
    file.seek(0)
    tail = b""
    while chunk := file.read(SCAN_CHUNK):
        if _SURROGATE_ESCAPE.search(tail + chunk):
            return True
        tail = chunk[-5:]
    return False


def _start(file: IO[bytes]) -> None:
    """Position the file at the JSON text (after a UTF-8 byte order mark, if any)."""
    file.seek(0)
    if file.read(3) != BOM:
        file.seek(0)


def _envelope(file: IO[bytes]) -> tuple[PushAction, str] | None:
    """Action and operator when both come before a records array in a well-formed
    envelope (no key named twice so far); None when the body must be read whole."""
    _start(file)
    action: str | None = None
    operator: str | None = None
    keys: list[set[str]] = []
    try:
        for prefix, event, value in ijson.parse(file):
            if event == "start_map":
                keys.append(set())
            elif event == "end_map":
                keys.pop()
            elif event == "map_key":
                if value in keys[-1]:
                    return None
                keys[-1].add(value)
            elif prefix == "ActionType" and event == "string":
                action = value
            elif prefix == "OperatorEvseData.OperatorID" and event == "string":
                operator = value
            elif prefix == RECORDS and event == "start_array":
                if len(keys) != 2 or action is None or operator is None:
                    return None
                parsed = PushAction.parse(action)
                if parsed not in OICP_ACTIONS or not operator.strip():
                    return None
                return parsed, operator.strip()
            if not keys:
                return None  # the body is not an object, or ended before the records
    except (ijson.JSONError, UnicodeDecodeError, DomainError):
        return None
    return None


_SHARED_FIELDS = ("country", "power_type", "plugs", "time_zone", "utc_offset")


def _shared(raw: EvseInput, seen: dict[object, object]) -> EvseInput:
    """`raw` with its often-repeated values replaced by the batch's first equal one."""
    for name in _SHARED_FIELDS:
        value = getattr(raw, name)
        if value is not None:
            object.__setattr__(raw, name, seen.setdefault(value, value))
    return raw


def read_oicp_push_file(file: IO[bytes]) -> ParsedBatch:
    """Read an `eRoamingPushEvseData` body from a binary file, record by record (see the
    module's docstring); the same batch and refusals as `read_oicp_push_bytes`."""
    file.seek(0)
    check_utf8_json(file.read(4))
    envelope = None if _has_surrogate_escape(file) else _envelope(file)
    if envelope is None:
        file.seek(0)
        return read_oicp_push_bytes(file.read())
    action, operator = envelope
    read = _read_evse_id if action is PushAction.DELETE else _read_record
    seen: dict[object, object] = {}
    _start(file)
    items = []
    repeated: list[str] = []
    objects = _objects_noting_repeats(repeated)
    try:
        for index, record in enumerate(ijson.items(file, f"{RECORDS}.item", map_type=objects)):
            if repeated:
                raise DomainError(
                    BODY_MALFORMED,
                    f"The body names the key {repeated[0]!r} twice in one JSON object",
                )
            item = _item(index, record, read)
            if isinstance(item, SourceRecord):
                _shared(item.evse, seen)
            items.append(item)
    except ijson.JSONError as error:
        reason = " ".join(str(error).split())[:200]
        raise DomainError(BODY_MALFORMED, f"The body is not valid JSON: {reason}") from None
    except UnicodeDecodeError as error:
        raise DomainError(
            BODY_MALFORMED, f"The body is not valid UTF-8 (byte {error.start} of a chunk)"
        ) from None
    return ParsedBatch(action, INDEX, items, operator)
