"""Rules of EVSE networks, groups and assignment (DESIGN.md "EVSE networks and groups").

A network is `draft` until an offer that uses it is published, then `active`.

- In `draft` a new assignment overwrites the old one (a move); unassigning, renaming and
  deleting groups (which unassigns their EVSEs) and deleting the network are free.
- In `active` only unassigned EVSEs can be assigned; an earlier assignment is never
  overwritten or removed (Hubject's EVSE network assignment API states exactly this), groups
  cannot be renamed or deleted and the network cannot be deleted; new groups may be added.

Names are compared ignoring letter case (Unicode case folding, `search_key`): network names
within the operator, group names within their network. Every refusal is an error whose code
names the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from evsenet.domain.errors import Conflict, DomainError
from evsenet.domain.text import PlainText, search_key

GROUP_NAME_MAX = 30
NETWORK_NAME_MAX = 100
DESCRIPTION_MAX = 500
AUDIT_ID_CAP = 1_000
"""An audit entry lists at most this many EVSE IDs, and counts the rest."""
REFUSAL_CAP = 1_000
"""A refused bulk request reports at most this many EVSEs one by one (and the total)."""


class NetworkStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes something, for the audit log: an API token, a web user, the CLI."""

    kind: str
    """`token`, `user`, `cli` or `system`."""
    id: str | None
    label: str

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli", None, "cli")

    @classmethod
    def system(cls) -> Actor:
        return cls("system", None, "system")


_NETWORK_NAME = PlainText(
    "Network name",
    NETWORK_NAME_MAX,
    "network.name_too_long",
    "network.name_control_character",
    "name",
)
_GROUP_NAME = PlainText(
    "Group name", GROUP_NAME_MAX, "group.name_too_long", "group.name_control_character", "name"
)
_NETWORK_DESCRIPTION = PlainText(
    "Network description",
    DESCRIPTION_MAX,
    "network.description_too_long",
    "network.description_control_character",
    "description",
)
_GROUP_DESCRIPTION = PlainText(
    "Group description",
    DESCRIPTION_MAX,
    "group.description_too_long",
    "group.description_control_character",
    "description",
)


def network_name(value: str | None) -> str:
    """A network name: 1–100 characters after trimming, plain text."""
    name = _NETWORK_NAME(value)
    if not name:
        raise DomainError(
            "network.name_blank", "A network needs a name (1–100 characters)", field="name"
        )
    return name


def group_name(value: str | None) -> str:
    """A group name: 1–30 characters after trimming surrounding blanks, plain text."""
    name = _GROUP_NAME(value)
    if not name:
        raise DomainError(
            "group.name_blank",
            f"A group needs a name (1–{GROUP_NAME_MAX} characters after trimming)",
            field="name",
        )
    return name


def network_description(value: str | None) -> str:
    return _NETWORK_DESCRIPTION(value)


def group_description(value: str | None) -> str:
    return _GROUP_DESCRIPTION(value)


def name_key(name: str) -> str:
    """The form in which network and group names are compared: letter case ignored."""
    return search_key(name)


def network_name_taken(name: str) -> Conflict:
    return Conflict(
        "network.name_taken",
        f"The operator already has a network named {name!r} (names ignore letter case)",
        field="name",
    )


def group_name_taken(name: str) -> Conflict:
    return Conflict(
        "group.name_taken",
        f"The network already has a group named {name!r} (names ignore letter case)",
        field="name",
    )


def check_distinct_group_names(names: Sequence[str]) -> None:
    """Group names of one request must differ, ignoring letter case."""
    seen: dict[str, str] = {}
    for name in names:
        key = name_key(name)
        if key in seen:
            raise Conflict(
                "group.name_taken",
                f"Group names {seen[key]!r} and {name!r} are the same ignoring letter case; "
                "names are unique within a network",
                field="name",
            )
        seen[key] = name


def check_deletable(status: NetworkStatus, name: str) -> None:
    if status is NetworkStatus.ACTIVE:
        raise Conflict(
            "network.active_not_deletable",
            f"Network {name!r} is active (an offer uses it) and cannot be deleted",
        )


def check_group_renamable(status: NetworkStatus, name: str) -> None:
    if status is NetworkStatus.ACTIVE:
        raise Conflict(
            "group.active_not_renamable",
            f"Group {name!r} is in an active network: providers were promised its prices, "
            "so it cannot be renamed",
        )


def check_group_deletable(status: NetworkStatus, name: str) -> None:
    if status is NetworkStatus.ACTIVE:
        raise Conflict(
            "group.active_not_deletable",
            f"Group {name!r} is in an active network: providers were promised its prices, "
            "so it cannot be deleted",
        )


@dataclass(frozen=True, slots=True)
class EvseRefusal:
    """Why one EVSE of a bulk request was refused. `position` is its 0-based index in the
    request's list of IDs (None for a selection by filter)."""

    evse_id: str
    code: str
    message: str
    position: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "index": self.position,
            "evse_id": self.evse_id,
            "code": self.code,
            "message": self.message,
        }


class AssignmentRefused(Conflict):
    """A bulk assignment or unassignment was refused as a whole; nothing was written.

    `problems` lists the refused EVSEs (at most `REFUSAL_CAP`), `refused` counts them all.
    """

    def __init__(self, problems: list[EvseRefusal], refused: int, requested: int) -> None:
        shown = "" if refused <= len(problems) else f" (the first {len(problems)} are listed)"
        super().__init__(
            "assignment.refused",
            f"{refused} of {requested} EVSEs cannot be changed as asked{shown}; nothing was "
            "written. See `errors` for each EVSE and why.",
        )
        self.problems = problems
        self.refused = refused


@dataclass(frozen=True, slots=True)
class EvseState:
    """What the store knows of one requested EVSE, as far as the assignment rules need it."""

    evse_id: str
    """As the request sent it."""
    position: int | None
    known: bool
    withdrawn: bool = False
    network_id: int | None = None
    network_name: str | None = None
    group_id: int | None = None


class Change(StrEnum):
    """What a bulk request does to an EVSE that it is allowed to change."""

    ASSIGN = "assign"
    MOVE = "move"
    UNASSIGN = "unassign"
    UNCHANGED = "unchanged"


def _unknown(state: EvseState) -> EvseRefusal:
    # Another operator's EVSE is answered exactly like an unknown one: no tenant leak.
    return EvseRefusal(
        state.evse_id,
        "evse.unknown",
        f"EVSE {state.evse_id} is not in this operator's inventory",
        state.position,
    )


def _elsewhere(state: EvseState) -> EvseRefusal:
    return EvseRefusal(
        state.evse_id,
        "evse.in_other_network",
        f"EVSE {state.evse_id} is in network {state.network_name!r}; an EVSE is in at most "
        "one network: unassign it there first",
        state.position,
    )


def _fixed(state: EvseState) -> EvseRefusal:
    return EvseRefusal(
        state.evse_id,
        "evse.assigned_in_active_network",
        f"EVSE {state.evse_id} is assigned in this active network; an earlier assignment is "
        "never overwritten or removed once an offer uses the network",
        state.position,
    )


def assignment_change(
    state: EvseState,
    network_id: int,
    status: NetworkStatus,
    target_group: int,
    *,
    allow_moves: bool = True,
) -> Change | EvseRefusal:
    """What assigning `state`'s EVSE to `target_group` of the network does, or why not."""
    if not state.known:
        return _unknown(state)
    if state.withdrawn:
        return EvseRefusal(
            state.evse_id,
            "evse.withdrawn",
            f"EVSE {state.evse_id} was withdrawn from the inventory; push it again first",
            state.position,
        )
    if state.network_id is None:
        return Change.ASSIGN
    if state.network_id != network_id:
        return _elsewhere(state)
    if state.group_id == target_group:
        return Change.UNCHANGED
    if status is NetworkStatus.ACTIVE:
        return _fixed(state)
    if not allow_moves:
        return EvseRefusal(
            state.evse_id,
            "evse.already_assigned",
            f"EVSE {state.evse_id} is already in another group of this network, and the "
            "request asked not to move assigned EVSEs",
            state.position,
        )
    return Change.MOVE


def unassignment_change(
    state: EvseState, network_id: int, status: NetworkStatus
) -> Change | EvseRefusal:
    """What unassigning `state`'s EVSE from the network does, or why not. A withdrawn
    EVSE keeps its group, and a draft network may still let it go."""
    if not state.known:
        return _unknown(state)
    if state.network_id is None:
        return Change.UNCHANGED
    if state.network_id != network_id:
        return _elsewhere(state)
    if status is NetworkStatus.ACTIVE:
        return _fixed(state)
    return Change.UNASSIGN


def repeated_ids(ids: Sequence[tuple[int, str, str]]) -> list[EvseRefusal]:
    """Every occurrence of an EVSE listed more than once (in any spelling).

    `ids` holds (position, normalised ID, ID as sent).
    """
    where: dict[str, list[int]] = {}
    for position, key, _ in ids:
        where.setdefault(key, []).append(position)
    refusals = []
    for position, key, sent in ids:
        places = where[key]
        if len(places) > 1:
            others = ", ".join(str(p) for p in places if p != position)
            refusals.append(
                EvseRefusal(
                    sent,
                    "evse.listed_twice",
                    f"EVSE {sent} is listed more than once (also at index {others}); "
                    "list each EVSE once",
                    position,
                )
            )
    return refusals


@dataclass(frozen=True, slots=True)
class GroupRef:
    """The target group of an assignment: by its id or by its name (exactly one)."""

    id: int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if (self.id is None) == (self.name is None):
            raise DomainError(
                "assignment.group_required",
                "Name the target group by exactly one of group_id and group_name",
                field="group_id",
            )


@dataclass(frozen=True, slots=True)
class AssignmentReport:
    """What a bulk request did: EVSEs newly assigned, moved between groups, already in the
    target (or, for unassigning, in no group), and unassigned."""

    assigned: int = 0
    moved: int = 0
    unchanged: int = 0
    unassigned: int = 0


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One change, as written to the audit log (in the transaction that made it)."""

    action: str
    subject: str
    network_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    ids: tuple[str, ...] = ()
    ids_total: int = 0


class Unset(Enum):
    """`UNSET`: a field a PATCH leaves as it is (None may be a value)."""

    UNSET = "unset"


UNSET = Unset.UNSET
