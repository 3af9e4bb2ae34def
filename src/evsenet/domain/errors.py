"""Domain errors. Every error carries a stable, machine-readable code.

Reports are bounded whatever the input: a report lists at most `REPORT_LIMIT` refused
records and then says how many more there are (`reported`), and a message shown to a
client keeps at most `MESSAGE_LIMIT` characters (`bounded_text`), so that 200,000 refused
rows or a header of a million unknown columns cannot make a 45 MiB answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

REPORT_LIMIT = 1_000
"""The most refused records a report lists; the rest are counted."""
MESSAGE_LIMIT = 2_000
"""The most characters of one message or detail a report shows."""

T = TypeVar("T")


def reported(problems: Sequence[T], limit: int = REPORT_LIMIT) -> tuple[Sequence[T], int]:
    """The problems a report lists, and how many more it leaves out."""
    return problems[:limit], max(0, len(problems) - limit)


def bounded_text(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text`, cut to about `limit` characters with a note of how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters not shown)"


class DomainError(Exception):
    """A rule of the domain was broken; `code` is stable and documented."""

    code: str = "domain.error"

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist for this caller (foreign objects look the same)."""


class Conflict(DomainError):
    """The request clashes with the current state (e.g. a name already taken)."""


class WithdrawalsUnconfirmed(Conflict):
    """A push would withdraw more than half of the operator's active EVSEs without the
    count confirmed, or with a confirmed count that is not the count (a stale one).
    `withdrawals` is the count the push would withdraw, `active` the active EVSEs."""

    def __init__(self, code: str, message: str, *, withdrawals: int, active: int) -> None:
        super().__init__(code, message)
        self.withdrawals = withdrawals
        self.active = active


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one field of one input record."""

    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """Why one record of a batch was refused.

    `position` says where the record stands in its source: the line number of a CSV
    file (the header is line 1) or the 0-based index of an OICP record.
    """

    position: int
    position_kind: str
    evse_id: str | None
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            self.position_kind: self.position,
            "evse_id": self.evse_id,
            "field": self.field,
            "code": self.code,
            "message": bounded_text(self.message),
        }


class InvalidRecord(DomainError):
    """A single input record failed validation; `problems` lists every field at fault."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        first = problems[0]
        super().__init__(first.code, first.message, field=first.field)
        self.problems = problems


class BatchRejected(DomainError):
    """A batch was refused as a whole; nothing was written."""

    def __init__(self, problems: list[RecordProblem], message: str) -> None:
        super().__init__("batch.rejected", message)
        self.problems = problems
