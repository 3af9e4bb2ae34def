"""Bad input on Hubject's network paths gets a clear 4xx with its stable code and writes
nothing: every table is unchanged row for row (SQLite and PostgreSQL).

The corpus is a table: each case names the path (create or assign), the body (or raw
bytes), the operator in the path, and the status and code of the refusal; for a refused
EVSE also the code given for it in `errors`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from evsenet.domain.network import Actor, GroupRef
from evsenet.domain.network_lists import EvseSelection
from evsenet.services.networks import add_group, assign_evses, create_network
from tests.integration.snapshots import dump

if TYPE_CHECKING:
    from tests.api.conftest import Api

CREATE = "/api/evsenetwork/v1/operators/{operator}/networks"
ASSIGN = "/api/evsenetwork/v1/operators/{operator}/network"
ACTOR = Actor("system", None, "test set-up")


@dataclass(frozen=True)
class Bad:
    """One bad request and the refusal it must get."""

    path: str
    body: Any
    status: int
    code: str
    evse_code: str | None = None
    operator: str = "DE*ABC"


def network(name: str = "New", *groups: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A create body; without groups, one group "G" with DE*ABC*E4."""
    chosen = list(groups) or [group()]
    return {"evseNetworkName": name, "evseGroups": chosen, **extra}


def group(name: str = "G", *evse_ids: str, **extra: Any) -> dict[str, Any]:
    return {"groupName": name, "evseIds": list(evse_ids or ["DE*ABC*E4"]), **extra}


def assignment(network_name: str = "Existing", *pairs: tuple[str, list[str]]) -> dict[str, Any]:
    """An assign body; without pairs, DE*ABC*E4 to group G2."""
    chosen = list(pairs) or [("G2", ["DE*ABC*E4"])]
    return {
        "NetworkName": network_name,
        "GroupsAssignments": [{"GroupName": name, "Evses": ids} for name, ids in chosen],
    }


def refused_create(evse_code: str, *evse_ids: str) -> Bad:
    return Bad(CREATE, network("New", group("G", *evse_ids)), 409, "assignment.refused", evse_code)


def refused_assign(evse_code: str, *evse_ids: str) -> Bad:
    body = assignment("Existing", ("G2", list(evse_ids)))
    return Bad(ASSIGN, body, 409, "assignment.refused", evse_code)


CORPUS = [
    # --- create: names ---
    pytest.param(
        Bad(CREATE, network(""), 400, "network.name_blank"), id="create-network-name-empty"
    ),
    pytest.param(
        Bad(CREATE, network("   "), 400, "network.name_blank"), id="create-network-name-blank"
    ),
    pytest.param(
        Bad(CREATE, network("N" * 101), 400, "network.name_too_long"),
        id="create-network-name-101-chars",
    ),
    pytest.param(
        Bad(CREATE, network("Line\nbreak"), 400, "network.name_control_character"),
        id="create-network-name-line-break",
    ),
    pytest.param(
        Bad(CREATE, network("Nul\x00"), 400, "network.name_control_character"),
        id="create-network-name-nul",
    ),
    pytest.param(
        Bad(CREATE, network("EXISTING"), 409, "network.name_taken"),
        id="create-network-name-taken-other-case",
    ),
    pytest.param(
        Bad(
            CREATE,
            network("N", evseNetworkDescription="d" * 501),
            400,
            "network.description_too_long",
        ),
        id="create-network-description-too-long",
    ),
    pytest.param(
        Bad(CREATE, network("N", group("")), 400, "group.name_blank"), id="create-group-name-empty"
    ),
    pytest.param(
        Bad(CREATE, network("N", group(" \u00a0 ")), 400, "group.name_blank"),
        id="create-group-name-blank",
    ),
    pytest.param(
        Bad(CREATE, network("N", group("G" * 31)), 400, "group.name_too_long"),
        id="create-group-name-31-chars",
    ),
    pytest.param(
        Bad(CREATE, network("N", group("Tab\there")), 400, "group.name_control_character"),
        id="create-group-name-tab",
    ),
    pytest.param(
        Bad(
            CREATE,
            network("N", group("G", groupDescription="bell\x07")),
            400,
            "group.description_control_character",
        ),
        id="create-group-description-control",
    ),
    pytest.param(
        Bad(
            CREATE,
            network("N", group("AC", "DE*ABC*E4"), group("AC", "DE*ABC*E5")),
            409,
            "group.name_taken",
        ),
        id="create-duplicate-group-names",
    ),
    pytest.param(
        Bad(
            CREATE,
            network("N", group("AC", "DE*ABC*E4"), group("ac", "DE*ABC*E5")),
            409,
            "group.name_taken",
        ),
        id="create-duplicate-group-names-other-case",
    ),
    # --- create: EVSEs ---
    pytest.param(refused_create("evse.unknown", "DE*ABC*E404"), id="create-unknown-evse"),
    pytest.param(refused_create("evse.unknown", "NL*EVN*E1"), id="create-foreign-evse"),
    pytest.param(refused_create("evse.withdrawn", "DE*ABC*E9"), id="create-withdrawn-evse"),
    pytest.param(
        refused_create("evse.listed_twice", "DE*ABC*E4", "deabce4"),
        id="create-evse-repeated-in-a-group",
    ),
    pytest.param(
        Bad(
            CREATE,
            network("N", group("A", "DE*ABC*E4"), group("B", "DE*ABC*E4")),
            409,
            "assignment.refused",
            "evse.listed_twice",
        ),
        id="create-evse-repeated-across-groups",
    ),
    pytest.param(
        refused_create("evse.in_other_network", "DE*ABC*E1"), id="create-evse-in-another-network"
    ),
    pytest.param(
        refused_create("evse_id.malformed", "not an EVSE ID"), id="create-malformed-evse-id"
    ),
    # --- create: shape and tenancy ---
    pytest.param(
        Bad(CREATE, {"evseGroups": []}, 422, "request.invalid"), id="create-no-network-name"
    ),
    pytest.param(
        Bad(CREATE, network("N", evseGroups={"groupName": "G"}), 422, "request.invalid"),
        id="create-groups-an-object",
    ),
    pytest.param(
        Bad(CREATE, network("N", group("G", evseIds="DE*ABC*E4")), 422, "request.invalid"),
        id="create-evse-ids-a-string",
    ),
    pytest.param(
        Bad(CREATE, network("N", NetworkName="N"), 422, "request.invalid"), id="create-unknown-key"
    ),
    pytest.param(
        Bad(CREATE, b'{"evseNetworkName": "N", ', 422, "request.invalid"),
        id="create-truncated-json",
    ),
    pytest.param(
        Bad(CREATE, network("N"), 404, "operator.not_found", operator="NL*EVN"),
        id="create-another-operators-path",
    ),
    pytest.param(
        Bad(CREATE, network("N"), 404, "operator.not_found", operator="not an operator"),
        id="create-malformed-operator-path",
    ),
    # --- assign: names ---
    pytest.param(
        Bad(ASSIGN, assignment("Nope"), 404, "network.not_found"), id="assign-unknown-network"
    ),
    pytest.param(
        Bad(ASSIGN, assignment("Foreign"), 404, "network.not_found"),
        id="assign-another-operators-network",
    ),
    pytest.param(
        Bad(ASSIGN, assignment("Existing", ("G9", ["DE*ABC*E4"])), 404, "group.not_found"),
        id="assign-unknown-group",
    ),
    pytest.param(
        Bad(ASSIGN, assignment("Existing", ("O1", ["DE*ABC*E4"])), 404, "group.not_found"),
        id="assign-group-of-another-network",
    ),
    pytest.param(
        Bad(ASSIGN, assignment("Existing", ("BG", ["DE*ABC*E4"])), 404, "group.not_found"),
        id="assign-group-of-another-operator",
    ),
    # --- assign: EVSEs ---
    pytest.param(refused_assign("evse.unknown", "DE*ABC*E404"), id="assign-unknown-evse"),
    pytest.param(refused_assign("evse.unknown", "NL*EVN*E1"), id="assign-foreign-evse"),
    pytest.param(refused_assign("evse.withdrawn", "DE*ABC*E9"), id="assign-withdrawn-evse"),
    pytest.param(
        refused_assign("evse.listed_twice", "DE*ABC*E4", "DE*ABC*E4"), id="assign-evse-repeated"
    ),
    pytest.param(
        Bad(
            ASSIGN,
            assignment("Existing", ("G1", ["DE*ABC*E4"]), ("G2", ["de*abc*e4"])),
            409,
            "assignment.refused",
            "evse.listed_twice",
        ),
        id="assign-evse-repeated-across-groups",
    ),
    pytest.param(
        refused_assign("evse.in_other_network", "DE*ABC*E2"), id="assign-evse-in-another-network"
    ),
    pytest.param(refused_assign("evse_id.malformed", "DE-ABC-1"), id="assign-malformed-evse-id"),
    # --- assign: shape and tenancy ---
    pytest.param(
        Bad(ASSIGN, {"NetworkName": "Existing"}, 422, "request.invalid"), id="assign-no-assignments"
    ),
    pytest.param(
        Bad(ASSIGN, {"networkName": "Existing", "groupsAssignments": []}, 422, "request.invalid"),
        id="assign-camel-case-keys",
    ),
    pytest.param(
        Bad(
            ASSIGN,
            {"NetworkName": "Existing", "GroupsAssignments": [{"GroupName": "G2", "Evses": [4]}]},
            422,
            "request.invalid",
        ),
        id="assign-evse-a-number",
    ),
    pytest.param(Bad(ASSIGN, [], 422, "request.invalid"), id="assign-body-a-list"),
    pytest.param(
        Bad(ASSIGN, assignment(), 404, "operator.not_found", operator="NL*EVN"),
        id="assign-another-operators-path",
    ),
]


@pytest.fixture
def corpus(api: Api) -> Api:
    """A's EVSEs E1…E5 and the sub-operator's E6, withdrawn E9; networks Existing (G1 with
    E1, G2 empty) and Other (O1 with E2). B's NL*EVN*E1 in its network Foreign (BG)."""
    a_evses = [f"DE*ABC*E{n}" for n in range(1, 6)] + ["DE*XYZ*E6", "DE*ABC*E9"]
    assert api.push([api.record(evse_id) for evse_id in a_evses]).status_code == 200
    assert api.push([api.record("DE*ABC*E9")], action="delete").status_code == 200
    b_record = api.record("NL*EVN*E1", Address={**api.record("x")["Address"], "Country": "NLD"})
    assert api.push([b_record], api.B).status_code == 200
    for operator, name, groups in (
        (api.A, "Existing", [("G1", ["DE*ABC*E1"]), ("G2", [])]),
        (api.A, "Other", [("O1", ["DE*ABC*E2"])]),
        (api.B, "Foreign", [("BG", ["NL*EVN*E1"])]),
    ):
        network_id = create_network(api.store, operator, name, actor=ACTOR).id
        for group_name, evse_ids in groups:
            group_id = add_group(api.store, operator, network_id, group_name, actor=ACTOR).id
            if evse_ids:
                selection = EvseSelection(evse_ids=evse_ids)
                ref = GroupRef(id=group_id)
                assign_evses(api.store, operator, network_id, ref, selection, actor=ACTOR)
    return api


def test_the_corpus_has_at_least_thirty_cases_on_each_database() -> None:
    assert len(CORPUS) >= 30
    assert len({case.id for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("bad", CORPUS)
def test_bad_input_is_refused_with_its_code_and_writes_nothing(corpus: Api, bad: Bad) -> None:
    before = dump(corpus.store)
    content = bad.body if isinstance(bad.body, bytes) else json.dumps(bad.body).encode()
    response = corpus.client.request(
        "POST" if bad.path == CREATE else "PUT",
        bad.path.format(operator=bad.operator),
        content=content,
        headers={**corpus.auth(corpus.A), "Content-Type": "application/json"},
    )
    problem = corpus.problem(response, bad.status, bad.code)
    if bad.evse_code is not None:
        assert bad.evse_code in {error["code"] for error in problem["errors"]}, problem
    assert dump(corpus.store) == before
