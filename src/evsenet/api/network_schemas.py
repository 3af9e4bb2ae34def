"""Request and response models of `/api/v1/networks` and `/api/v1/audit` (Pydantic v2).

Request bodies refuse unknown fields (`extra="forbid"`): a misspelt filter field would
otherwise widen a bulk assignment silently. Names and descriptions are checked by the
domain's rules (which give the stable codes), not here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from evsenet.api.schemas import EchoedText, decimal_text
from evsenet.domain.network import AssignmentReport as DomainReport
from evsenet.domain.network_lists import (
    AuditPage as DomainAuditPage,
)
from evsenet.domain.network_lists import (
    GroupView,
    NetworkDetail,
    NetworkEvsePage,
    NetworkEvseRow,
    NetworkSummary,
    NetworkView,
)

MAX_EVSE_IDS = 1_000_000
"""EVSE IDs one bulk request may list (the body limit bounds it too)."""


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    """Refuse text no database can compare: NUL and lone UTF-16 surrogates (JSON can
    escape both). Names and descriptions are checked by the domain's plain-text rule."""
    if _UNSTORABLE.search(value):
        raise ValueError("text may not contain NUL or a lone UTF-16 surrogate")
    return value


SearchText = Annotated[str, Field(max_length=100), AfterValidator(_storable)]


class NetworkCreate(_Body):
    name: str = Field(description="1–100 characters, unique in the operator ignoring case")
    description: str = ""


class NetworkPatch(_Body):
    """Only the fields sent change."""

    name: str | None = None
    description: str | None = None


class GroupCreate(_Body):
    name: str = Field(description="1–30 characters after trimming, unique in the network")
    description: str = ""


class GroupPatch(_Body):
    """Only the fields sent change. A group of an active network cannot be renamed."""

    name: str | None = None
    description: str | None = None


OutputBound = str | int


class EvseFilterBody(_Body):
    """The EVSEs of one of the network's lists that match every given field."""

    text: SearchText | None = Field(default=None, description="Part of the EVSE ID")
    country: SearchText | None = None
    city: SearchText | None = None
    postal_code: SearchText | None = Field(default=None, description="Start of the postal code")
    power_type: SearchText | None = Field(default=None, description="AC_1_PHASE, AC_3_PHASE or DC")
    min_output_kw: OutputBound | None = Field(
        default=None, description="A decimal string such as '150' or '3.7', or an integer"
    )
    max_output_kw: OutputBound | None = None
    group_id: int | None = Field(
        default=None, description="Assigned list only: EVSEs of this group of the network"
    )
    include_withdrawn: bool = False


class AssignmentBody(_Body):
    """Which EVSEs (`evse_ids` or `filter`) and, to assign, which group (`group_id` or
    `group_name`)."""

    group_id: int | None = None
    group_name: SearchText | None = None
    evse_ids: list[str] | None = Field(default=None, max_length=MAX_EVSE_IDS)
    filter: EvseFilterBody | None = None
    source: Literal["unassigned", "assigned"] | None = Field(
        default=None,
        description="Which list a filter selects from: `unassigned` (default when assigning) "
        "or the network's `assigned` list (default when unassigning)",
    )
    move: bool = Field(
        default=True,
        description="Draft networks: move EVSEs that are in another group of the network. "
        "false refuses them instead (evse.already_assigned)",
    )


class UnassignmentBody(_Body):
    evse_ids: list[str] | None = Field(default=None, max_length=MAX_EVSE_IDS)
    filter: EvseFilterBody | None = None
    source: Literal["unassigned", "assigned"] | None = Field(
        default=None, description="Which list a filter selects from (default: assigned)"
    )


class Group(BaseModel):
    id: int
    name: str
    description: str
    evse_count: int

    @classmethod
    def of(cls, group: GroupView) -> Group:
        return cls(
            id=group.id, name=group.name, description=group.description, evse_count=group.evse_count
        )


class Network(BaseModel):
    id: int
    name: str
    description: str
    status: Literal["draft", "active"]
    group_count: int
    evse_count: int = Field(description="EVSEs in the network's groups")
    created_at: datetime

    @classmethod
    def of(cls, network: NetworkSummary | NetworkDetail) -> Network:
        return cls(
            id=network.id,
            name=network.name,
            description=network.description,
            status=network.status.value,
            group_count=network.group_count,
            evse_count=network.evse_count,
            created_at=network.created_at,
        )


class NetworkWithGroups(Network):
    groups: list[Group]

    @classmethod
    def of_detail(cls, detail: NetworkDetail) -> NetworkWithGroups:
        return cls(**Network.of(detail).model_dump(), groups=[Group.of(g) for g in detail.groups])


class NetworkChanged(BaseModel):
    id: int
    name: str
    description: str
    status: Literal["draft", "active"]
    created_at: datetime

    @classmethod
    def of(cls, view: NetworkView) -> NetworkChanged:
        return cls(
            id=view.id,
            name=view.name,
            description=view.description,
            status=view.status.value,
            created_at=view.created_at,
        )


class NetworkList(BaseModel):
    items: list[Network]


class GroupList(BaseModel):
    items: list[Group]


class NetworkEvse(BaseModel):
    """One row of a list: the EVSE's key facts and its group (assigned list)."""

    evse_id: str
    country: str
    city: str
    postal_code: str
    street: str
    power_type: str
    output_kw: str = Field(description="Output in kW as a decimal string, e.g. '22.00'")
    group_id: int | None
    group_name: str | None
    status: Literal["active", "withdrawn"]

    @classmethod
    def of(cls, row: NetworkEvseRow) -> NetworkEvse:
        return cls(
            evse_id=row.evse_id,
            country=row.country,
            city=row.city,
            postal_code=row.postal_code,
            street=row.street,
            power_type=row.power_type,
            output_kw=decimal_text(row.output_kw),
            group_id=row.group_id,
            group_name=row.group_name,
            status="withdrawn" if row.withdrawn else "active",
        )


class NetworkEvseList(BaseModel):
    items: list[NetworkEvse]
    total: int = Field(description="How many EVSEs match the filter, on all pages")
    group_counts: dict[str, int] = Field(
        description="Assigned list: how many matching EVSEs each group holds (by group id; "
        "the group filter left out)"
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page"
    )

    @classmethod
    def of(cls, page: NetworkEvsePage) -> NetworkEvseList:
        return cls(
            items=[NetworkEvse.of(row) for row in page.items],
            total=page.total,
            group_counts={str(pk): count for pk, count in page.group_counts.items()},
            next_cursor=page.next_cursor,
        )


class AssignmentReport(BaseModel):
    assigned: int = Field(description="EVSEs newly assigned")
    moved: int = Field(description="EVSEs moved from another group of the network")
    unchanged: int = Field(description="EVSEs already as asked")
    unassigned: int = Field(description="EVSEs taken out of their group")

    @classmethod
    def of(cls, report: DomainReport) -> AssignmentReport:
        return cls(
            assigned=report.assigned,
            moved=report.moved,
            unchanged=report.unchanged,
            unassigned=report.unassigned,
        )


class GroupDeleted(BaseModel):
    unassigned: int = Field(description="EVSEs the deletion unassigned")


class AuditEntry(BaseModel):
    at: datetime
    actor: EchoedText
    actor_kind: str
    action: str
    subject: EchoedText
    counts: dict[str, int]
    evse_ids: list[str] = Field(description="The EVSE IDs concerned, at most 1,000")
    evse_ids_total: int


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: DomainAuditPage) -> AuditPage:
        return cls(
            items=[
                AuditEntry(
                    at=entry.at,
                    actor=entry.actor,
                    actor_kind=entry.actor_kind,
                    action=entry.action,
                    subject=entry.subject,
                    counts=entry.counts,
                    evse_ids=entry.ids,
                    evse_ids_total=entry.ids_total,
                )
                for entry in page.items
            ],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
        )
