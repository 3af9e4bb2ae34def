"""Bad requests against the network paths: each is refused with its status and code, and
writes nothing (tests/api/test_network_corpus.py checks every table row for row).

A case's path and body may name the objects of the corpus's world (`World`) with
`{name}` placeholders, filled in by `Case.render`: `{main}` (A's draft network "Main" with
groups `{fast}` — holding DE*ABC*E1 — and `{slow}`), `{other}` (A's draft network "Other",
group `{x}` holding DE*ABC*E2), `{live}` (A's active network "Live", group `{live_group}`
holding DE*ABC*E3), `{bees}` (B's network). DE*ABC*E9 is withdrawn. Add cases for new paths
(e.g. the Hubject-compatible ones) to `CORPUS`: the test picks them up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

A_EVSES = [f"DE*ABC*E{n}" for n in range(1, 7)]
WITHDRAWN = "DE*ABC*E9"
B_EVSES = ["NL*EVN*E1", "NL*EVN*E2"]


@dataclass(frozen=True)
class World:
    main: int
    fast: int
    slow: int
    other: int
    x: int
    live: int
    live_group: int
    bees: int


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str
    body: Any
    status: int
    code: str
    errors: tuple[str, ...] = ()
    """For a refused bulk request: the code of each entry of `errors`, in order."""
    as_b: bool = False
    raw: bool = False
    """Send `body` as is (bytes or text), not as JSON."""
    headers: dict[str, str] = field(default_factory=dict)

    def render(self, world: World) -> tuple[str, Any]:
        names = {key: str(value) for key, value in vars(world).items()}
        path = self.path.format(**names)
        if self.raw or self.body is None:
            return path, self.body
        text = json.dumps(self.body)
        for key, value in names.items():
            text = text.replace(f'"{{{key}}}"', value).replace(f"{{{key}}}", value)
        return path, json.loads(text)


N = "/api/v1/networks"
MAIN = N + "/{main}"
ASSIGN = MAIN + "/assignments"


def _assign(body: dict[str, Any], *errors: str, path: str = ASSIGN) -> dict[str, Any]:
    return {"body": body, "errors": errors, "path": path}


CORPUS: list[Case] = [
    # networks
    Case("network-name-empty", "POST", N, {"name": ""}, 400, "network.name_blank"),
    Case("network-name-blank", "POST", N, {"name": "   "}, 400, "network.name_blank"),
    Case("network-name-101", "POST", N, {"name": "n" * 101}, 400, "network.name_too_long"),
    Case(
        "network-name-newline", "POST", N, {"name": "a\nb"}, 400, "network.name_control_character"
    ),
    Case(
        "network-name-nul", "POST", N, {"name": "a\u0000b"}, 400, "network.name_control_character"
    ),
    Case("network-name-case-twin", "POST", N, {"name": " MAIN "}, 409, "network.name_taken"),
    Case("network-unknown-field", "POST", N, {"nom": "x"}, 422, "request.invalid"),
    Case("network-body-a-list", "POST", N, ["Main"], 422, "request.invalid"),
    Case("network-name-a-number", "POST", N, {"name": 5}, 422, "request.invalid"),
    Case(
        "network-body-not-json",
        "POST",
        N,
        b"{name",
        422,
        "request.invalid",
        raw=True,
        headers={"Content-Type": "application/json"},
    ),
    Case(
        "network-description-501",
        "POST",
        N,
        {"name": "D", "description": "d" * 501},
        400,
        "network.description_too_long",
    ),
    Case("network-rename-blank", "PATCH", MAIN, {"name": ""}, 400, "network.name_blank"),
    Case("network-rename-taken", "PATCH", MAIN, {"name": "other"}, 409, "network.name_taken"),
    Case("network-foreign-read", "GET", N + "/{bees}", None, 404, "network.not_found"),
    Case(
        "network-foreign-rename", "PATCH", N + "/{bees}", {"name": "Mine"}, 404, "network.not_found"
    ),
    Case("network-foreign-delete", "DELETE", N + "/{bees}", None, 404, "network.not_found"),
    Case(
        "network-active-delete", "DELETE", N + "/{live}", None, 409, "network.active_not_deletable"
    ),
    Case("network-id-not-a-number", "GET", N + "/abc", None, 422, "request.invalid"),
    # groups
    Case("group-name-empty", "POST", MAIN + "/groups", {"name": ""}, 400, "group.name_blank"),
    Case("group-name-blank", "POST", MAIN + "/groups", {"name": "  "}, 400, "group.name_blank"),
    Case("group-name-31", "POST", MAIN + "/groups", {"name": "g" * 31}, 400, "group.name_too_long"),
    Case(
        "group-name-31-after-trim",
        "POST",
        MAIN + "/groups",
        {"name": " " + "g" * 31 + " "},
        400,
        "group.name_too_long",
    ),
    Case(
        "group-name-tab",
        "POST",
        MAIN + "/groups",
        {"name": "a\tb"},
        400,
        "group.name_control_character",
    ),
    Case("group-name-taken", "POST", MAIN + "/groups", {"name": "Fast"}, 409, "group.name_taken"),
    Case(
        "group-name-case-twin", "POST", MAIN + "/groups", {"name": "FAST "}, 409, "group.name_taken"
    ),
    Case(
        "group-in-foreign-network",
        "POST",
        N + "/{bees}/groups",
        {"name": "G"},
        404,
        "network.not_found",
    ),
    Case(
        "group-of-another-network",
        "PATCH",
        MAIN + "/groups/{x}",
        {"name": "Y"},
        404,
        "group.not_found",
    ),
    Case(
        "group-rename-31",
        "PATCH",
        MAIN + "/groups/{slow}",
        {"name": "s" * 31},
        400,
        "group.name_too_long",
    ),
    Case(
        "group-rename-case-twin",
        "PATCH",
        MAIN + "/groups/{slow}",
        {"name": "fAST"},
        409,
        "group.name_taken",
    ),
    Case(
        "group-active-rename",
        "PATCH",
        N + "/{live}/groups/{live_group}",
        {"name": "New"},
        409,
        "group.active_not_renamable",
    ),
    Case(
        "group-active-delete",
        "DELETE",
        N + "/{live}/groups/{live_group}",
        None,
        409,
        "group.active_not_deletable",
    ),
    Case(
        "group-unknown-field",
        "POST",
        MAIN + "/groups",
        {"name": "G", "colour": "red"},
        422,
        "request.invalid",
    ),
    # assignments
    Case(
        "assign-unknown-evse",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "evse_ids": ["DE*ABC*E77"]},
        409,
        "assignment.refused",
        ("evse.unknown",),
    ),
    Case(
        "assign-foreign-evse",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "evse_ids": ["NL*EVN*E1"]},
        409,
        "assignment.refused",
        ("evse.unknown",),
    ),
    Case(
        "assign-withdrawn-evse",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "evse_ids": [WITHDRAWN]},
        409,
        "assignment.refused",
        ("evse.withdrawn",),
    ),
    Case(
        "assign-repeated-evse",
        "POST",
        ASSIGN,
        {"group_id": "{slow}", "evse_ids": ["DE*ABC*E4", "de*abc*e4"]},
        409,
        "assignment.refused",
        ("evse.listed_twice", "evse.listed_twice"),
    ),
    Case(
        "assign-evse-of-other-network",
        "POST",
        ASSIGN,
        {"group_id": "{slow}", "evse_ids": ["DE*ABC*E2"]},
        409,
        "assignment.refused",
        ("evse.in_other_network",),
    ),
    Case(
        "assign-malformed-evse",
        "POST",
        ASSIGN,
        {"group_id": "{slow}", "evse_ids": ["E*1"]},
        409,
        "assignment.refused",
        ("evse_id.malformed",),
    ),
    Case(
        "assign-mixed-bad-and-good",
        "POST",
        ASSIGN,
        {"group_id": "{slow}", "evse_ids": ["DE*ABC*E4", "DE*ABC*E77", WITHDRAWN]},
        409,
        "assignment.refused",
        ("evse.unknown", "evse.withdrawn"),
    ),
    Case(
        "assign-group-of-another-network",
        "POST",
        ASSIGN,
        {"group_id": "{x}", "evse_ids": ["DE*ABC*E4"]},
        404,
        "group.not_found",
    ),
    Case(
        "assign-unknown-group-name",
        "POST",
        ASSIGN,
        {"group_name": "Nope", "evse_ids": ["DE*ABC*E4"]},
        404,
        "group.not_found",
    ),
    Case(
        "assign-group-id-and-name",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "group_name": "Fast", "evse_ids": ["DE*ABC*E4"]},
        400,
        "assignment.group_required",
    ),
    Case(
        "assign-no-selection",
        "POST",
        ASSIGN,
        {"group_id": "{fast}"},
        400,
        "assignment.selection_required",
    ),
    Case(
        "assign-ids-and-filter",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "evse_ids": ["DE*ABC*E4"], "filter": {"city": "Berlin"}},
        400,
        "assignment.selection_required",
    ),
    Case(
        "assign-filter-unknown-field",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "filter": {"town": "Berlin"}},
        422,
        "request.invalid",
    ),
    Case(
        "assign-filter-impossible-bounds",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "filter": {"min_output_kw": "50", "max_output_kw": "10"}},
        400,
        "filter.output_range",
    ),
    Case(
        "assign-filter-bound-too-large",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "filter": {"min_output_kw": 5000}},
        400,
        "filter.output_range",
    ),
    Case(
        "assign-filter-bound-not-a-number",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "filter": {"min_output_kw": "lots"}},
        400,
        "filter.output_range",
    ),
    Case(
        "assign-filter-power-type",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "filter": {"power_type": "AC_2_PHASE"}},
        400,
        "filter.power_type",
    ),
    Case(
        "assign-filter-group-of-another-network",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "source": "assigned", "filter": {"group_id": "{x}"}},
        404,
        "group.not_found",
    ),
    Case(
        "assign-evse-ids-not-a-list",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "evse_ids": "DE*ABC*E4"},
        422,
        "request.invalid",
    ),
    Case(
        "assign-in-foreign-network",
        "POST",
        N + "/{bees}/assignments",
        {"group_name": "B1", "evse_ids": ["NL*EVN*E1"]},
        404,
        "network.not_found",
    ),
    Case(
        "assign-active-moves-nothing",
        "POST",
        N + "/{live}/assignments",
        {"group_name": "Later", "evse_ids": ["DE*ABC*E3"]},
        409,
        "assignment.refused",
        ("evse.assigned_in_active_network",),
    ),
    Case(
        "unassign-active",
        "DELETE",
        N + "/{live}/assignments",
        {"evse_ids": ["DE*ABC*E3"]},
        409,
        "assignment.refused",
        ("evse.assigned_in_active_network",),
    ),
    Case(
        "unassign-foreign-evse",
        "DELETE",
        ASSIGN,
        {"evse_ids": ["NL*EVN*E2"]},
        409,
        "assignment.refused",
        ("evse.unknown",),
    ),
    Case(
        "unassign-body-wrong-shape",
        "DELETE",
        ASSIGN,
        {"ids": ["DE*ABC*E1"]},
        422,
        "request.invalid",
    ),
    Case(
        "assign-filter-nul",
        "POST",
        ASSIGN,
        {"group_id": "{fast}", "filter": {"city": "K\u0000ln"}},
        422,
        "request.invalid",
    ),
    Case(
        "assign-group-name-surrogate",
        "POST",
        ASSIGN,
        b'{"group_name": "\\ud800", "evse_ids": ["DE*ABC*E4"]}',
        422,
        "request.invalid",
        raw=True,
        headers={"Content-Type": "application/json"},
    ),
    Case(
        "group-name-surrogate",
        "POST",
        MAIN + "/groups",
        b'{"name": "G\\udfff"}',
        400,
        "group.name_control_character",
        raw=True,
        headers={"Content-Type": "application/json"},
    ),
    # lists
    Case(
        "list-forged-cursor", "GET", MAIN + "/evses?cursor=AAAA", None, 400, "page.cursor_invalid"
    ),
    Case(
        "list-group-of-another-network",
        "GET",
        MAIN + "/evses?assigned=true&group_id={x}",
        None,
        404,
        "group.not_found",
    ),
    Case(
        "list-impossible-bounds",
        "GET",
        MAIN + "/evses?min_output_kw=50&max_output_kw=10",
        None,
        400,
        "filter.output_range",
    ),
    Case("list-limit-zero", "GET", MAIN + "/evses?limit=0", None, 422, "request.invalid"),
    Case(
        "list-repeated-parameter",
        "GET",
        MAIN + "/evses?city=Bonn&city=Köln",
        None,
        422,
        "request.invalid",
    ),
    Case("list-foreign-network", "GET", N + "/{bees}/evses", None, 404, "network.not_found"),
    Case(
        "audit-limit-too-large", "GET", "/api/v1/audit?limit=100000", None, 422, "request.invalid"
    ),
]
