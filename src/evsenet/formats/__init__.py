"""Outside formats in and out. Readers turn a source into `ParsedBatch`es of raw records.

A reader never decides validity beyond what the format itself says (a broken CSV row, a
JSON body of the wrong shape): field rules live in `evsenet.domain.evse`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from evsenet.domain.errors import RecordProblem
from evsenet.domain.evse import EvseInput
from evsenet.domain.inventory import PushAction


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One raw EVSE record and where it stands in its source (line or index)."""

    position: int
    evse: EvseInput


ParsedItem = SourceRecord | RecordProblem


@dataclass(frozen=True)
class ParsedBatch:
    """What a reader found in one source.

    `position_kind` is `line` (CSV: the header is line 1) or `index` (OICP records,
    0-based). `operator_id` is the operator the source itself names (OICP's
    `OperatorID`), or None where the format names none.
    """

    action: PushAction
    position_kind: str
    items: list[ParsedItem] = field(default_factory=list)
    operator_id: str | None = None

    @property
    def records(self) -> Iterable[SourceRecord]:
        return (item for item in self.items if isinstance(item, SourceRecord))
