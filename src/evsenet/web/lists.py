"""The state of one EVSE list of the network page, as its filter form sends it.

Each list's fields carry a prefix (`a_` for the assigned list, `u_` for the unassigned
one) so that both lists' filters travel in one request, e.g. when a change re-renders the
page. A selection "all that match this filter" sends the same fields once more with
`match_` before them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from evsenet.domain.errors import DomainError
from evsenet.domain.inventory import SORT_KEYS
from evsenet.domain.network_lists import KeysetPage, NetworkEvseFilter
from evsenet.services.network_pages import ListRequest

FILTER_FIELDS = ("q", "country", "city", "postal_code", "power_type", "min_kw", "max_kw")
PAGE_SIZE = 50
FIELD_LIMIT = 100


@dataclass(frozen=True, slots=True)
class ListState:
    """What one list's filter form says: its filters, sort, order and page cursor."""

    prefix: str
    fields: dict[str, str]
    group: str
    sort: str
    order: str
    after: str | None

    @classmethod
    def read(cls, prefix: str, sent: Mapping[str, object], *, match: bool = False) -> ListState:
        lead = ("match_" if match else "") + prefix + "_"

        def text(name: str) -> str:
            value = sent.get(lead + name)
            return value.strip()[:FIELD_LIMIT] if isinstance(value, str) else ""

        sort = text("sort")
        after = text("after") if not match else ""
        return cls(
            prefix,
            {name: text(name) for name in FILTER_FIELDS},
            text("group"),
            sort if sort in SORT_KEYS else "evse_id",
            "desc" if text("order") == "desc" else "asc",
            after or None,
        )

    def group_id(self) -> int | None:
        if not self.group:
            return None
        if not (self.group.isascii() and self.group.isdigit()) or len(self.group) > 18:
            raise DomainError(
                "filter.group_invalid", f"{self.group!r} names no group of this network"
            )
        return int(self.group)

    def criteria(self) -> NetworkEvseFilter:
        """The service's filter; what a person typed is checked there."""
        f = self.fields
        return NetworkEvseFilter.parse(
            group_id=self.group_id(),
            text=f["q"],
            country=f["country"],
            city=f["city"],
            postal_code=f["postal_code"],
            power_type=f["power_type"],
            min_output_kw=f["min_kw"],
            max_output_kw=f["max_kw"],
        )

    def request(self) -> ListRequest:
        page = KeysetPage(PAGE_SIZE, self.after, self.sort, self.order == "desc")
        return ListRequest(self.criteria(), page)

    def params(self, **changes: str | None) -> dict[str, str]:
        """The list's fields as query parameters (prefixed), with `changes` applied."""
        values: dict[str, str | None] = {
            **self.fields,
            "group": self.group,
            "sort": self.sort,
            "order": self.order,
            "after": self.after,
            **changes,
        }
        return {f"{self.prefix}_{k}": v for k, v in values.items() if v}

    @property
    def filtered(self) -> bool:
        return any(self.fields.values()) or bool(self.group)
