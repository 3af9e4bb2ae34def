"""Rules of an operator's EVSE inventory: push actions and batch-level checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple, Protocol

from evsenet.domain.errors import (
    DomainError,
    FieldProblem,
    InvalidRecord,
    RecordProblem,
    WithdrawalsUnconfirmed,
)
from evsenet.domain.evse import (
    MAX_OUTPUT_KW,
    OUTPUT_QUANTUM,
    EvseInput,
    EvseRecord,
    OperatorScope,
    PowerType,
    exact_to,
    parse_evse_id,
    plain_decimal,
    validate_evse,
)
from evsenet.domain.geography import country_alpha3
from evsenet.domain.ids import EvseId
from evsenet.domain.text import ascii_upper


class PushAction(StrEnum):
    """What a batch of EVSE records does to the operator's inventory.

    The first four are OICP 2.3 `ActionType`s. `upsert` is evsenet's own, the default for
    file imports: insert new EVSEs, update known ones, withdraw nothing.
    """

    FULL_LOAD = "fullLoad"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    UPSERT = "upsert"

    @classmethod
    def parse(cls, text: str) -> PushAction:
        for action in cls:
            if action.value.lower() == text.strip().lower():
                return action
        raise DomainError(
            "action.unknown",
            f"Action {text!r} is unknown; use one of {', '.join(a.value for a in cls)}",
        )


class SourceItem(Protocol):
    """One raw record of a batch and its position in the source."""

    @property
    def position(self) -> int: ...

    @property
    def evse(self) -> EvseInput: ...


class ParsedBatchLike(Protocol):
    """A batch as a format reader hands it over (see `evsenet.formats.ParsedBatch`)."""

    @property
    def action(self) -> PushAction: ...

    @property
    def position_kind(self) -> str: ...

    @property
    def items(self) -> Sequence[SourceItem | RecordProblem]: ...


@dataclass(frozen=True, slots=True)
class KnownEvse:
    """What the inventory already holds for one EVSE ID, as far as a push needs it."""

    pk: int
    withdrawn: bool


class ValidRecord(NamedTuple):
    """A validated record and where it came from."""

    position: int
    record: EvseRecord


@dataclass
class ValidatedBatch:
    """A batch after field validation: the good records and every refused one."""

    action: PushAction
    position_kind: str
    records: list[ValidRecord] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    refused_ids: set[str] = field(default_factory=set)
    """Normalised IDs of records refused for their fields: a fullLoad keeps these EVSEs."""


@dataclass
class PushPlan:
    """The changes a batch makes to an inventory; computed before anything is written."""

    inserts: list[EvseRecord] = field(default_factory=list)
    restores: list[tuple[int, EvseRecord]] = field(default_factory=list)
    refreshes: list[tuple[int, EvseRecord]] = field(default_factory=list)
    """Active EVSEs pushed again: written where a field differs, else left unchanged."""
    withdrawals: list[int] = field(default_factory=list)
    already_withdrawn: int = 0
    problems: list[RecordProblem] = field(default_factory=list)


def _problem(kind: str, position: int, evse_id: str | None, problem: FieldProblem) -> RecordProblem:
    return RecordProblem(position, kind, evse_id, problem.field, problem.code, problem.message)


def validate_batch(
    batch: ParsedBatchLike,
    scope: OperatorScope,
    progress: Callable[[int], None] | None = None,
) -> ValidatedBatch:
    """Validate every record of a batch and refuse EVSE IDs that appear more than once.

    A record the reader could not read but whose EVSE ID it could tell counts as refused:
    a `fullLoad` keeps that EVSE rather than withdraw it, and another record with its ID
    is a duplicate (a reader may report several problems of one record: they count once).
    """
    result = ValidatedBatch(batch.action, batch.position_kind)
    refused: list[tuple[int, EvseId]] = []
    unreadable: dict[tuple[int, str], EvseId] = {}
    check = _check_id_only if batch.action is PushAction.DELETE else validate_evse
    for done, item in enumerate(batch.items, 1):
        if isinstance(item, RecordProblem):
            result.problems.append(item)
            evse_id = _remember_refused_id(result.refused_ids, item.evse_id)
            if evse_id is not None:
                unreadable[(item.position, evse_id.normalised)] = evse_id
            continue
        try:
            result.records.append(ValidRecord(item.position, check(item.evse, scope)))
        except InvalidRecord as error:
            result.problems.extend(
                _problem(batch.position_kind, item.position, item.evse.evse_id, p)
                for p in error.problems
            )
            evse_id = _remember_refused_id(result.refused_ids, item.evse.evse_id)
            if evse_id is not None:
                refused.append((item.position, evse_id))
        if progress is not None and done % 1000 == 0:
            progress(done)
    refused.extend((position, evse_id) for (position, _), evse_id in unreadable.items())
    _refuse_duplicates(result, refused)
    return result


def _remember_refused_id(refused: set[str], text: str | None) -> EvseId | None:
    try:
        evse_id = EvseId.parse(text or "")
    except DomainError:
        return None
    refused.add(evse_id.normalised)
    return evse_id


def _check_id_only(raw: EvseInput, scope: OperatorScope) -> EvseRecord:
    """A delete needs nothing but an EVSE ID the operator may push."""
    try:
        evse_id = parse_evse_id(raw.evse_id, scope)
    except DomainError as error:
        raise InvalidRecord([FieldProblem("evse_id", error.code, error.message)]) from None
    return EvseRecord(
        evse_id,
        "",
        "",
        "",
        "",
        "",
        "",
        Decimal(0),
        Decimal(0),
        PowerType.DC,
        Decimal(0),
        (),
        "",
    )


def _refuse_duplicates(batch: ValidatedBatch, refused: list[tuple[int, EvseId]]) -> None:
    """Refuse every occurrence of an EVSE ID sent more than once, valid or not.

    Two versions of one EVSE in one batch leave it unclear which one the operator means,
    so neither lands, even when the other occurrence was refused for its fields.
    """
    keys = [v.record.evse_id.normalised for v in batch.records]
    keys += (evse_id.normalised for _, evse_id in refused)
    if len(set(keys)) == len(keys):
        return
    repeated = {key for key, count in Counter(keys).items() if count > 1}
    sent = [(v.position, v.record.evse_id) for v in batch.records] + refused
    occurrences: dict[str, list[tuple[int, EvseId]]] = {}
    for position, evse_id in sorted(sent, key=lambda occurrence: occurrence[0]):
        if evse_id.normalised in repeated:
            occurrences.setdefault(evse_id.normalised, []).append((position, evse_id))
    batch.records = [v for v in batch.records if v.record.evse_id.normalised not in repeated]
    for key, where in occurrences.items():
        batch.problems.extend(
            _duplicate(batch, evse_id, position, where) for position, evse_id in where
        )
        batch.refused_ids.add(key)
    batch.problems.sort(key=lambda problem: problem.position)


def _duplicate(
    batch: ValidatedBatch, evse_id: EvseId, position: int, where: list[tuple[int, EvseId]]
) -> RecordProblem:
    others = [str(p) for p, _ in where]
    others.remove(str(position))
    return RecordProblem(
        position,
        batch.position_kind,
        evse_id.sent,
        "evse_id",
        "evse_id.duplicate_in_batch",
        f"EVSE ID {evse_id.sent} appears more than once in this batch (also at "
        f"{batch.position_kind} {', '.join(others)}); send each EVSE once",
    )


def plan_push(batch: ValidatedBatch, known: Mapping[str, KnownEvse]) -> PushPlan:
    """Decide, record by record, what the batch does to the inventory `known`.

    `insert` refuses EVSEs already in the inventory; `update` and `delete` refuse unknown
    ones. A withdrawn EVSE that is pushed again (`insert`, `upsert`, `fullLoad`) comes back.
    `fullLoad` withdraws every EVSE it does not name, except those whose records it sent
    but were refused: a bad record is no reason to take a charging point off the market.
    """
    plan = PushPlan(problems=list(batch.problems))
    action = batch.action
    for valid in batch.records:
        record = valid.record
        current = known.get(record.evse_id.normalised)
        refusal = _refusal(action, record, current)
        if refusal is not None:
            code, message = refusal
            plan.problems.append(
                RecordProblem(
                    valid.position,
                    batch.position_kind,
                    record.evse_id.sent,
                    "evse_id",
                    code,
                    message,
                )
            )
        elif action is PushAction.DELETE:
            if current is not None and not current.withdrawn:
                plan.withdrawals.append(current.pk)
            else:
                plan.already_withdrawn += 1
        elif current is None:
            plan.inserts.append(record)
        elif current.withdrawn:
            plan.restores.append((current.pk, record))
        else:
            plan.refreshes.append((current.pk, record))
    if action is PushAction.FULL_LOAD:
        named = {v.record.evse_id.normalised for v in batch.records} | batch.refused_ids
        plan.withdrawals.extend(
            evse.pk for key, evse in known.items() if not evse.withdrawn and key not in named
        )
    return plan


def require_records(batch: ParsedBatchLike) -> None:
    """Refuse a file that holds no record at all: only a header, blank lines or rows of
    empty cells (`,,,`). Such a file is a mistake (the wrong file, an export that failed),
    never a wish; imported, it would report "0 records, committed", and as a `fullLoad`
    it would withdraw the whole inventory. Files are the batches read by line; an OICP body
    says what it means in JSON (its empty `fullLoad` is guarded by `check_withdrawals`)."""
    if batch.position_kind == "line" and not batch.items:
        raise DomainError(
            "import.no_records",
            "The file holds no EVSE records (only a header, blank lines or rows of empty "
            "cells); nothing was written. Check that it is the file you meant to send.",
        )


def check_withdrawals(
    plan: PushPlan, known: Mapping[str, KnownEvse], confirmed: int | None, operator: str
) -> None:
    """Refuse a push that would withdraw more than half of the operator's active EVSEs
    (all of them included) unless it carries the count it withdraws (`confirmed`), the
    way publishing with EVSEs priced at zero needs an acknowledgement. A confirmed count
    must be the count, whatever the share: a stale one is refused, naming the count.

    Raises WithdrawalsUnconfirmed `batch.withdrawals_unconfirmed` or
    `batch.withdrawals_mismatch`; the caller's transaction then writes nothing.
    """
    count = len(plan.withdrawals)
    active = sum(1 for evse in known.values() if not evse.withdrawn)
    what = f"this push would withdraw {count} of the {active} active EVSEs of {operator}"
    again = (
        f"send it again with confirm_withdrawals={count} (command line: "
        f"--confirm-withdrawals {count})"
    )
    if confirmed is not None and confirmed != count:
        raise WithdrawalsUnconfirmed(
            "batch.withdrawals_mismatch",
            f"The confirmed count of withdrawals ({confirmed}) is not the count: {what}. "
            f"Nothing was written. Check the batch; if {count} is meant, {again}.",
            withdrawals=count,
            active=active,
        )
    if confirmed is None and 2 * count > active:
        share = "all" if count == active else "more than half"
        raise WithdrawalsUnconfirmed(
            "batch.withdrawals_unconfirmed",
            f"{what[0].upper()}{what[1:]} ({share} of them). Nothing was written. If that is "
            f"meant, {again}.",
            withdrawals=count,
            active=active,
        )


def _refusal(
    action: PushAction, record: EvseRecord, current: KnownEvse | None
) -> tuple[str, str] | None:
    active = current is not None and not current.withdrawn
    if action is PushAction.INSERT and active:
        return (
            "evse.already_exists",
            f"EVSE {record.evse_id.sent!r} is already in the inventory; "
            "use action update to change it",
        )
    if action in (PushAction.UPDATE, PushAction.DELETE) and current is None:
        return (
            "evse.unknown",
            f"EVSE {record.evse_id.sent!r} is not in the inventory; use action insert to add it",
        )
    if action is PushAction.UPDATE and current is not None and current.withdrawn:
        return (
            "evse.withdrawn",
            f"EVSE {record.evse_id.sent!r} was withdrawn; use action insert to bring it back",
        )
    return None


MAX_PAGE_SIZE = 1000
MAX_OFFSET = 2**31 - 1
SORT_KEYS = ("evse_id", "country", "city", "postal_code", "power_type", "output_kw")


@dataclass(frozen=True, slots=True)
class EvseFilter:
    """Criteria an operator uses to find EVSEs. Empty fields do not filter."""

    text: str | None = None
    country: str | None = None
    city: str | None = None
    postal_code: str | None = None
    power_type: PowerType | None = None
    min_output_kw: Decimal | None = None
    max_output_kw: Decimal | None = None
    include_withdrawn: bool = False
    assigned: bool | None = None
    """True: only EVSEs in a group (of any network); False: only those in none."""

    @classmethod
    def parse(
        cls,
        *,
        text: str | None = None,
        country: str | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        power_type: str | None = None,
        min_output_kw: str | None = None,
        max_output_kw: str | None = None,
        include_withdrawn: bool = False,
        assigned: str | None = None,
    ) -> EvseFilter:
        """A filter from what a person typed; empty text does not filter."""
        return cls(
            text=_typed(text),
            country=country_alpha3(country) if _typed(country) else None,
            city=_typed(city),
            postal_code=_typed(postal_code),
            power_type=_filter_power_type(power_type),
            min_output_kw=_output_bound(min_output_kw, "Minimum output"),
            max_output_kw=_output_bound(max_output_kw, "Maximum output"),
            include_withdrawn=include_withdrawn,
            assigned=_assigned(assigned),
        )

    def __post_init__(self) -> None:
        low, high = self.min_output_kw, self.max_output_kw
        if low is not None and high is not None and low > high:
            raise DomainError(
                "filter.output_range",
                f"Minimum output {low} kW is above maximum output {high} kW",
            )


def _typed(value: str | None) -> str | None:
    text = value.strip() if value else ""
    return text or None


_ASSIGNED = {"assigned": True, "yes": True, "true": True, "unassigned": False, "no": False}
_ASSIGNED |= {"false": False}


def _assigned(value: str | None) -> bool | None:
    text = _typed(value)
    if text is None:
        return None
    try:
        return _ASSIGNED[text.lower()]
    except KeyError:
        raise DomainError(
            "filter.assigned",
            f"Assigned {value!r} is unknown; use assigned (in a group) or unassigned (in none)",
        ) from None


def _filter_power_type(value: str | None) -> PowerType | None:
    text = _typed(value)
    if text is None:
        return None
    try:
        return PowerType(ascii_upper(text) or "?")
    except ValueError:
        raise DomainError(
            "filter.power_type",
            f"Power type {value!r} is unknown; use AC_1_PHASE, AC_3_PHASE or DC",
        ) from None


def _output_bound(value: str | None, label: str) -> Decimal | None:
    text = _typed(value)
    if text is None:
        return None
    number = plain_decimal(text)
    if number is None:
        raise DomainError("filter.output_range", f"{label} {text!r} is not a number of kW")
    if not 0 <= number <= MAX_OUTPUT_KW:
        raise DomainError(
            "filter.output_range", f"{label} {text!r} is outside 0…{MAX_OUTPUT_KW} kW"
        )
    if not exact_to(number, OUTPUT_QUANTUM):
        raise DomainError(
            "filter.output_range",
            f"{label} {text!r} has more decimals than outputs have (2); outputs are stored "
            "to 0.01 kW",
        )
    return number.quantize(OUTPUT_QUANTUM)


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a sorted list to show."""

    limit: int = 50
    offset: int = 0
    sort: str = "evse_id"
    descending: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise DomainError(
                "page.limit", f"Page size must be 1…{MAX_PAGE_SIZE}, not {self.limit}"
            )
        if not 0 <= self.offset <= MAX_OFFSET:
            raise DomainError("page.offset", f"Offset must be 0…{MAX_OFFSET}, not {self.offset}")
        if self.sort not in SORT_KEYS:
            raise DomainError(
                "page.sort", f"Cannot sort by {self.sort!r}; use one of {', '.join(SORT_KEYS)}"
            )


def check_export(criteria: EvseFilter, *, paged: bool) -> None:
    """A CSV export holds every EVSE that matches, in the import format, which has no
    status: withdrawn EVSEs would come back as active when the file is imported again, so
    they are not exported; and a page of the list is no list to re-import."""
    if criteria.include_withdrawn:
        raise DomainError(
            "export.withdrawn",
            "A CSV export holds active EVSEs only: the import format has no status, so a "
            "withdrawn EVSE in it would come back when the file is imported; leave out "
            "include_withdrawn (the JSON list shows withdrawn EVSEs with their status)",
        )
    if paged:
        raise DomainError(
            "export.paged",
            "A CSV export holds every EVSE that matches the filters; leave out limit and "
            "offset (sort and order apply)",
        )


@dataclass(frozen=True, slots=True)
class StoredEvse:
    """An EVSE of the inventory with its life dates."""

    record: EvseRecord
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None

    @property
    def status(self) -> str:
        return "withdrawn" if self.withdrawn_at else "active"


@dataclass(frozen=True, slots=True)
class EvsePage:
    items: list[StoredEvse]
    total: int
    page: Page
