"""The values of a network's two EVSE lists and of bulk selections: filters, keyset pages
with their opaque cursors, rows, and the views of networks, groups and the audit log."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from evsenet.domain.errors import DomainError
from evsenet.domain.evse import PowerType
from evsenet.domain.inventory import MAX_PAGE_SIZE, SORT_KEYS, EvseFilter
from evsenet.domain.network import NetworkStatus


@dataclass(frozen=True, slots=True)
class NetworkEvseFilter:
    """The inventory's filter (`EvseFilter`) plus, on the assigned side, one group."""

    text: str | None = None
    country: str | None = None
    city: str | None = None
    postal_code: str | None = None
    power_type: PowerType | None = None
    min_output_kw: Decimal | None = None
    max_output_kw: Decimal | None = None
    group_id: int | None = None
    include_withdrawn: bool = False
    """Used by bulk selections from the inventory; the lists ignore it: the unassigned list
    never shows withdrawn EVSEs (they cannot be assigned), the assigned list always does
    (they keep their group), each row with its status."""

    def __post_init__(self) -> None:
        _ = self.evse_filter  # the inventory's filter checks the output range

    @property
    def evse_filter(self) -> EvseFilter:
        """The inventory filter these criteria contain (without the group)."""
        return EvseFilter(
            text=self.text,
            country=self.country,
            city=self.city,
            postal_code=self.postal_code,
            power_type=self.power_type,
            min_output_kw=self.min_output_kw,
            max_output_kw=self.max_output_kw,
            include_withdrawn=self.include_withdrawn,
        )

    @classmethod
    def of(cls, criteria: EvseFilter, group_id: int | None = None) -> NetworkEvseFilter:
        return cls(
            text=criteria.text,
            country=criteria.country,
            city=criteria.city,
            postal_code=criteria.postal_code,
            power_type=criteria.power_type,
            min_output_kw=criteria.min_output_kw,
            max_output_kw=criteria.max_output_kw,
            group_id=group_id,
            include_withdrawn=criteria.include_withdrawn,
        )

    @classmethod
    def parse(cls, *, group_id: int | None = None, **typed: Any) -> NetworkEvseFilter:
        """Criteria from what a person typed (the keyword arguments of `EvseFilter.parse`)."""
        return cls.of(EvseFilter.parse(**typed), group_id)


@dataclass(frozen=True, slots=True)
class EvseSelection:
    """The EVSEs a bulk request changes: a list of EVSE IDs, or every EVSE of one of the
    network's lists that matches a filter (exactly one of the two).

    `assigned` says which list a filter selects from: the unassigned list (False; the
    default when assigning) or the network's assigned list (True; the default when
    unassigning), where `criteria` may also name a group.
    """

    evse_ids: Sequence[str] | None = None
    criteria: EvseFilter | NetworkEvseFilter | None = None
    assigned: bool | None = None

    def __post_init__(self) -> None:
        if (self.evse_ids is None) == (self.criteria is None):
            raise DomainError(
                "assignment.selection_required",
                "Select the EVSEs by exactly one of evse_ids and filter",
                field="evse_ids",
            )

    @property
    def network_filter(self) -> NetworkEvseFilter:
        criteria = self.criteria
        if isinstance(criteria, NetworkEvseFilter):
            return criteria
        return NetworkEvseFilter.of(criteria or EvseFilter())


_CURSOR_KEYS = {"s", "d", "v", "k"}


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a keyset page starts: after the row with this sort value and EVSE ID."""

    sort: str
    descending: bool
    value: str | None
    evse_key: str

    def encode(self) -> str:
        data = {"s": self.sort, "d": self.descending, "v": self.value, "k": self.evse_key}
        raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            data = json.loads(raw)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise _bad_cursor() from None
        if not isinstance(data, dict) or set(data) != _CURSOR_KEYS:
            raise _bad_cursor()
        sort, desc, value, key = data["s"], data["d"], data["v"], data["k"]
        if not (
            sort in SORT_KEYS
            and isinstance(desc, bool)
            and isinstance(value, str | None)
            and isinstance(key, str)
        ):
            raise _bad_cursor()
        return cls(sort, desc, value, key)


def _bad_cursor() -> DomainError:
    return DomainError(
        "page.cursor_invalid",
        "The cursor is not one this service gave out; start from the first page",
        field="cursor",
    )


@dataclass(frozen=True, slots=True)
class KeysetPage:
    """Which page of a sorted list to show: `limit` rows after the `after` cursor."""

    limit: int = 50
    after: str | None = None
    sort: str = "evse_id"
    descending: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise DomainError(
                "page.limit", f"Page size must be 1…{MAX_PAGE_SIZE}, not {self.limit}"
            )
        if self.sort not in SORT_KEYS:
            raise DomainError(
                "page.sort", f"Cannot sort by {self.sort!r}; use one of {', '.join(SORT_KEYS)}"
            )
        cursor = self.cursor
        if cursor is not None and (cursor.sort, cursor.descending) != (
            self.sort,
            self.descending,
        ):
            raise DomainError(
                "page.cursor_invalid",
                "The cursor belongs to another sort order; start from the first page",
                field="cursor",
            )

    @property
    def cursor(self) -> Cursor | None:
        return None if self.after is None else Cursor.decode(self.after)


@dataclass(frozen=True, slots=True)
class NetworkEvseRow:
    """One row of a network's list: the key facts of an EVSE and its group, if any."""

    evse_id: str
    city: str
    postal_code: str
    street: str
    country: str
    power_type: str
    output_kw: Decimal
    group_id: int | None
    group_name: str | None
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class NetworkEvsePage:
    """A page of a list, the number of EVSEs matching the filter (`total`), and for the
    assigned list how many of them are in each group (without the group filter)."""

    items: list[NetworkEvseRow]
    total: int
    group_counts: dict[int, int]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class GroupView:
    id: int
    name: str
    description: str
    evse_count: int


@dataclass(frozen=True, slots=True)
class NetworkView:
    id: int
    name: str
    description: str
    status: NetworkStatus
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NetworkSummary:
    id: int
    name: str
    description: str
    status: NetworkStatus
    group_count: int
    evse_count: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NetworkDetail:
    id: int
    name: str
    description: str
    status: NetworkStatus
    group_count: int
    evse_count: int
    created_at: datetime
    groups: list[GroupView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A group to create with its network (Hubject's create body): name, description and
    the EVSE IDs to assign to it."""

    name: str
    description: str = ""
    evse_ids: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    actor_kind: str
    action: str
    subject: str
    counts: dict[str, int]
    ids: list[str]
    ids_total: int


@dataclass(frozen=True, slots=True)
class AuditPage:
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int
