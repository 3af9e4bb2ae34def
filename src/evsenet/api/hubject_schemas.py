"""Bodies of Hubject's EVSE Network API (NGP automation, CPO side), key for key.

Hubject's create-network call speaks camelCase (`evseNetworkName`, `evseGroups`,
`groupName`, `evseIds`); its assignment call PascalCase (`NetworkName`,
`GroupsAssignments`, `GroupName`, `Evses`). The models keep those keys exactly, so that
a client written against Hubject's documentation sends and reads the same JSON here.
IDs of networks and groups are strings in Hubject's answers; evsenet's integer keys are
sent as their decimal text.

Names and EVSE IDs are checked by the domain (length, blanks, control characters,
duplicates), which answers each refusal with its own code; these models only refuse a
body of another shape (a missing key, a number where a list belongs, a key Hubject does
not define) as `request.invalid`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel, to_pascal

from evsenet.api.schemas import EchoedText
from evsenet.domain.network import name_key


class _Camel(BaseModel):
    """Keys in camelCase, as Hubject's create-network call has them."""

    model_config = ConfigDict(alias_generator=to_camel, extra="forbid")


class _Pascal(BaseModel):
    """Keys in PascalCase, as Hubject's assignment call has them."""

    model_config = ConfigDict(alias_generator=to_pascal, extra="forbid")


class _CamelOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True)


class _PascalOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_pascal, validate_by_name=True)


class EvseGroupIn(_Camel):
    """One group of a new network and the EVSEs it starts with."""

    group_name: str = Field(description="Unique in the network (ignoring letter case); 1–30")
    group_description: str | None = Field(default=None, description="Optional")
    evse_ids: list[str] = Field(description="EVSE IDs to assign to the group, e.g. DE*ABC*E1")


class EvseNetworkIn(_Camel):
    """Hubject's create-network request: a network, its groups and their EVSEs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "evseNetworkName": "Germany",
                    "evseNetworkDescription": "Public sites in Germany",
                    "evseGroups": [
                        {"groupName": "AC city", "evseIds": ["DE*ABC*E000001*1"]},
                    ],
                }
            ]
        }
    )

    evse_network_name: str = Field(description="Unique among the operator's networks")
    evse_network_description: str | None = Field(default=None, description="Optional")
    evse_groups: list[EvseGroupIn]


class EvseGroupOut(_CamelOut):
    id: str = Field(description="The group's ID")
    group_name: EchoedText
    group_description: EchoedText | None
    evse_ids: list[EchoedText] = Field(description="The EVSEs assigned to the group")


class EvseNetworkOut(_CamelOut):
    """Hubject's create-network answer (201)."""

    id: str = Field(description="The network's ID")
    evse_network_name: EchoedText
    evse_network_description: EchoedText | None
    evse_groups: list[EvseGroupOut]
    created_at: datetime


class GroupsAssignmentIn(_Pascal):
    """EVSEs to assign to one existing group of the network."""

    group_name: str
    evses: list[str]


class NetworkAssignmentIn(_Pascal):
    """Hubject's assignment request: EVSEs for existing groups of one network, by name."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "NetworkName": "Germany",
                    "GroupsAssignments": [{"GroupName": "AC city", "Evses": ["DE*ABC*E2"]}],
                }
            ]
        }
    )

    network_name: str
    groups_assignments: list[GroupsAssignmentIn]

    def assignments(self) -> list[tuple[str, list[str]]]:
        return [(item.group_name, list(item.evses)) for item in self.groups_assignments]


class GroupsAssignmentOut(_PascalOut):
    group_name: EchoedText
    evses: list[EchoedText] = Field(description="Every EVSE now in the group")


class NetworkAssignmentOut(_PascalOut):
    """Hubject's assignment answer: every EVSE now in each group named in the request."""

    network_name: EchoedText
    groups_assignments: list[GroupsAssignmentOut]

    @classmethod
    def of(
        cls,
        network_name: str,
        named: Sequence[str],
        members: Mapping[str, Sequence[str]],
    ) -> NetworkAssignmentOut:
        """The answer for the groups `named` in the request, in their order, each once.

        `members` is keyed by each group's own name; the request may have written it in
        another letter case (names ignore it), and the answer names the group as it is.
        """
        by_key = {name_key(name): name for name in members}
        own_names = dict.fromkeys(by_key[name_key(name.strip())] for name in named)
        groups = [
            GroupsAssignmentOut(group_name=name, evses=list(members[name])) for name in own_names
        ]
        return cls(network_name=network_name, groups_assignments=groups)
