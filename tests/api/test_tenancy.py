"""Tenancy on every endpoint: operator B (NL*EVN) neither sees nor changes A's (DE*ABC)
objects, and a foreign object is answered exactly like a missing one. Tokens too."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select

from evsenet.api.auth import current_operator, current_party, current_provider
from evsenet.domain.errors import NotFound
from evsenet.services.networks import get_network, list_networks
from evsenet.services.tokens import authenticate, create_token, revoke_token
from evsenet.store.tables import api_tokens
from tests.integration.snapshots import dump

if TYPE_CHECKING:
    from tests.api.conftest import Api

A_EVSES = ["DE*ABC*E1", "DE*ABC*E2", "DE*XYZ*E3"]
OICP_PATH = "/api/oicp/evsepush/v23/operators/{operator_id}/data-records"
EVSE_PATH = "/api/v1/evses/{evse_id}"
NETWORK_PATH = "/api/v1/networks/{network_id}"
GROUP_PATH = NETWORK_PATH + "/groups/{group_id}"
HUBJECT_CREATE = "/api/evsenetwork/v1/operators/{operator_id}/networks"
HUBJECT_ASSIGN = "/api/evsenetwork/v1/operators/{operator_id}/network"
TENANCY_TESTS = {
    ("GET", "/api/v1/operator"): "test_each_operator_is_its_own",
    ("GET", "/api/v1/evses"): "test_bs_list_never_contains_as_evses",
    ("GET", EVSE_PATH): "test_as_evse_is_not_found_for_b_exactly_like_a_missing_one",
    ("POST", "/api/v1/evses/push"): "test_b_pushing_as_evse_ids_is_refused",
    ("POST", "/api/v1/evses/import"): "test_b_importing_as_evse_ids_is_refused",
    ("POST", OICP_PATH): "test_the_oicp_path_with_as_operator_id_and_bs_token_is_not_found",
    ("GET", "/api/v1/networks"): "test_bs_networks_and_audit_hold_only_its_own",
    ("POST", "/api/v1/networks"): "test_bs_networks_and_audit_hold_only_its_own",
    ("GET", "/api/v1/audit"): "test_bs_networks_and_audit_hold_only_its_own",
    **dict.fromkeys(
        [
            ("GET", NETWORK_PATH),
            ("PATCH", NETWORK_PATH),
            ("DELETE", NETWORK_PATH),
            ("GET", NETWORK_PATH + "/groups"),
            ("POST", NETWORK_PATH + "/groups"),
            ("PATCH", GROUP_PATH),
            ("DELETE", GROUP_PATH),
            ("GET", NETWORK_PATH + "/evses"),
            ("POST", NETWORK_PATH + "/assignments"),
            ("DELETE", NETWORK_PATH + "/assignments"),
        ],
        "test_b_reaches_none_of_as_networks_groups_and_assignments",
    ),
    ("POST", HUBJECT_CREATE): "test_hubject_network_creation_never_reaches_as_evses",
    ("PUT", HUBJECT_ASSIGN): "test_hubject_assignment_never_reaches_as_networks",
}
"""Each endpoint and the test that proves B cannot reach A's objects through it."""
OFFER_PATH = "/api/v1/offers/{offer_id}"
HUBJECT_OFFERS = "/api/partner/v1/operators/{operator_id}/service-offers"
TENANCY_TESTS.update(
    dict.fromkeys(
        [
            ("GET", "/api/v1/offers"),
            ("POST", "/api/v1/offers"),
            ("GET", OFFER_PATH),
            ("PUT", OFFER_PATH),
            ("PATCH", OFFER_PATH),
            ("DELETE", OFFER_PATH),
            ("GET", OFFER_PATH + "/review"),
            ("POST", OFFER_PATH + "/publish"),
            ("POST", OFFER_PATH + "/versions"),
            ("GET", OFFER_PATH + "/versions"),
            ("GET", OFFER_PATH + "/zero-priced-evses"),
            ("POST", HUBJECT_OFFERS),
            ("PUT", HUBJECT_OFFERS + "/{service_offer_id}"),
            ("POST", HUBJECT_OFFERS + "/attachments"),
        ],
        "test_b_reaches_none_of_as_offers",
    )
)
PROVIDER_SUBSCRIPTIONS = "/api/v1/provider/subscriptions"
EMP_VIEW = "/api/premium/contracts/v1/providers/{provider_id}/operators/{operator_id}"
V1_VIEW = "/api/v1/provider/operators/{operator_id}"
GROUP_EVSES = "/service-offers/{service_offer_id}/networks/{network_id}/groups/{group_id}/evses"
PROVIDER_ROUTES = {
    ("GET", "/api/v1/provider/offers"),
    ("GET", PROVIDER_SUBSCRIPTIONS),
    ("POST", PROVIDER_SUBSCRIPTIONS),
    ("PUT", PROVIDER_SUBSCRIPTIONS + "/{subscription_id}/master-data"),
    ("POST", PROVIDER_SUBSCRIPTIONS + "/{subscription_id}/cancel"),
    ("GET", EMP_VIEW),
    ("GET", EMP_VIEW + GROUP_EVSES),
    ("GET", V1_VIEW),
    ("GET", V1_VIEW + GROUP_EVSES),
}
"""The provider's paths: provider tokens only."""
PROVIDER_EXPORTS = {
    ("GET", f"/api/v1/provider/offers/{{offer_id}}/{export}")
    for export in ("ocpi/tariffs", "oicp/pricing-products", "oicp/evse-pricing")
}
PROVIDER_ROUTES |= PROVIDER_EXPORTS
TENANCY_TESTS.update(
    dict.fromkeys(
        [
            *PROVIDER_ROUTES,
            ("GET", "/api/v1/subscriptions"),
            ("GET", "/api/v1/offers/{offer_id}/subscriptions"),
            ("POST", "/api/v1/subscriptions/{subscription_id}/accept"),
            ("POST", "/api/v1/subscriptions/{subscription_id}/reject"),
            ("GET", HUBJECT_OFFERS + "/info"),
            ("GET", HUBJECT_OFFERS + "/{service_offer_id}/historical-versions-info"),
        ],
        "test_two_operators_and_two_providers_each_see_only_their_own",
    )
)
TENANCY_TESTS.update(
    dict.fromkeys(
        PROVIDER_EXPORTS, "test_two_operators_and_two_providers_export_only_what_they_may"
    )
)
SHARED_ROUTES = {("POST", "/api/v1/prices"), ("POST", "/api/v1/prices:batch")}
"""Paths for operators' and providers' tokens alike."""
TENANCY_TESTS.update(
    dict.fromkeys(SHARED_ROUTES, "test_two_operators_and_two_providers_price_only_where_they_may")
)
TENANCY_TESTS.update(
    dict.fromkeys(
        [
            ("POST", "/api/v1/simulations"),
            ("GET", "/api/v1/offers/{offer_id}/ocpi/tariffs"),
            ("GET", "/api/v1/offers/{offer_id}/oicp/pricing-products"),
            ("GET", "/api/v1/offers/{offer_id}/oicp/evse-pricing"),
        ],
        "test_b_prices_nothing_at_as_evses_and_simulates_none_of_as_offers",
    )
)
B_EVSES = ["NL*EVN*E1", "NL*EVN*E2"]


@pytest.fixture
def tenants(api: Api) -> Api:
    """A and B each with their own EVSEs; A also has a withdrawn one (DE*ABC*E9)."""
    assert api.push([api.record(e) for e in [*A_EVSES, "DE*ABC*E9"]]).status_code == 200
    assert api.push([api.record("DE*ABC*E9")], action="delete").status_code == 200
    b_records = [
        api.record(e, Address={**api.record(e)["Address"], "Country": "NLD"}) for e in B_EVSES
    ]
    assert api.push(b_records, api.B).status_code == 200
    return api


def a_inventory(api: Api) -> Any:
    """Everything A has, withdrawn EVSEs and their dates included."""
    response = api.get("/api/v1/evses", api.A, include_withdrawn="true", limit=1000)
    assert response.status_code == 200
    return response.json()


def without_ids(problem: dict[str, Any], *ids: str) -> dict[str, Any]:
    detail = problem["detail"]
    for evse_id in ids:
        detail = detail.replace(evse_id, "<id>")
    return {**problem, "detail": detail}


def _calls(dependant: Dependant) -> set[object]:
    calls: set[object] = {dependant.call}
    for sub in dependant.dependencies:
        calls |= _calls(sub)
    return calls


def test_every_endpoint_is_scoped_by_the_token_and_has_a_tenancy_test(api: Api) -> None:
    """A new endpoint fails here until it authenticates its caller and has its own test."""
    routes = [
        context.original_route
        for context in iter_route_contexts(api.client.app.routes)  # type: ignore[attr-defined]
        if (context.path or "").startswith("/api/")
    ]
    assert all(isinstance(route, APIRoute) for route in routes)
    api_routes = [route for route in routes if isinstance(route, APIRoute)]
    endpoints = {(method, route.path) for route in api_routes for method in route.methods or ()}
    assert endpoints == set(TENANCY_TESTS)
    assert all(callable(globals().get(name)) for name in TENANCY_TESTS.values())
    for route in api_routes:
        endpoints = {(m, route.path) for m in route.methods or ()}
        party = (
            current_provider
            if endpoints & PROVIDER_ROUTES
            else current_party
            if endpoints & SHARED_ROUTES
            else current_operator
        )
        assert party in _calls(route.dependant), route.path


def test_each_operator_is_its_own(tenants: Api) -> None:
    assert tenants.get("/api/v1/operator", tenants.B).json() == {
        "id": "NL*EVN",
        "name": "EVN Netherlands",
        "sub_operators": [],
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"include_withdrawn": "true"},
        {"q": "DE*ABC"},
        {"q": "E1"},
        {"country": "DEU"},
        {"city": "Berlin"},
        {"sort": "output_kw", "order": "desc"},
    ],
)
def test_bs_list_never_contains_as_evses(tenants: Api, params: dict[str, str]) -> None:
    body = tenants.get("/api/v1/evses", tenants.B, limit=1000, **params).json()
    ids = [item["evse_id"] for item in body["items"]]
    assert set(ids) <= set(B_EVSES)
    assert body["total"] == len(ids)
    assert set(tenants.evse_ids(tenants.A, **params)) <= {*A_EVSES, "DE*ABC*E9"}


@pytest.mark.parametrize("evse_id", [*A_EVSES, "DE*ABC*E9", "deabce1"])
def test_as_evse_is_not_found_for_b_exactly_like_a_missing_one(tenants: Api, evse_id: str) -> None:
    foreign = tenants.get(f"/api/v1/evses/{evse_id}", tenants.B)
    missing = tenants.get("/api/v1/evses/DE*ABC*E404", tenants.B)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.headers["content-type"] == missing.headers["content-type"]
    foreign_body = tenants.problem(foreign, 404, "evse.not_found")
    missing_body = tenants.problem(missing, 404, "evse.not_found")
    assert without_ids(foreign_body, evse_id.upper(), evse_id) == without_ids(
        missing_body, "DE*ABC*E404"
    )
    assert tenants.get(f"/api/v1/evses/{evse_id}", tenants.A).status_code == 200


@pytest.mark.parametrize("action", ["insert", "update", "delete", "fullLoad"])
def test_b_pushing_as_evse_ids_is_refused(tenants: Api, action: str) -> None:
    before = a_inventory(tenants)
    records = [tenants.record("NL*EVN*E9"), tenants.record("DE*ABC*E1")]
    body = tenants.problem(tenants.push(records, tenants.B, action), 422, "batch.rejected")
    [error] = body["errors"]
    assert (error["index"], error["evse_id"]) == (1, "DE*ABC*E1")
    assert error["code"] == "evse_id.operator_mismatch"
    assert a_inventory(tenants) == before
    assert tenants.get("/api/v1/evses/NL*EVN*E9", tenants.B).status_code == 404


@pytest.mark.parametrize("action", ["insert", "update", "delete", "fullLoad"])
def test_b_pushing_as_evse_ids_on_the_oicp_path_is_refused(tenants: Api, action: str) -> None:
    before = a_inventory(tenants)
    body = tenants.oicp_body("NL*EVN", [tenants.record("DE*ABC*E1")], action)
    response = tenants.oicp_push("NL*EVN", body, as_=tenants.B)
    assert response.status_code == 200, response.text
    ack = response.json()
    assert (ack["Result"], ack["StatusCode"]["Code"]) == (False, "018")
    assert "evse_id.operator_mismatch" in ack["StatusCode"]["AdditionalInfo"]
    assert a_inventory(tenants) == before


@pytest.mark.parametrize("endpoint", ["push", "import"])
def test_skip_invalid_never_writes_as_evses(tenants: Api, endpoint: str) -> None:
    before = a_inventory(tenants)
    if endpoint == "push":
        records = [tenants.record("NL*EVN*E7"), tenants.record("DE*ABC*E7")]
        response = tenants.push(records, tenants.B, skip_invalid=True)
    else:
        data = tenants.csv_file(tenants.csv_row("NL*EVN*E7"), tenants.csv_row("DE*ABC*E7"))
        response = tenants.import_file(data, tenants.B, skip_invalid="true")
    assert response.status_code == 200, response.text
    assert [error["code"] for error in response.json()["rejected"]] == ["evse_id.operator_mismatch"]
    assert tenants.evse_ids(tenants.B, q="E7") == ["NL*EVN*E7"]
    assert a_inventory(tenants) == before


def test_bs_full_load_on_the_oicp_path_leaves_a_alone(tenants: Api) -> None:
    before = a_inventory(tenants)
    body = tenants.oicp_body("NL*EVN", [], "fullLoad")
    response = tenants.oicp_push("NL*EVN", body, tenants.B, confirm_withdrawals=len(B_EVSES))
    assert response.json()["Result"] is True
    assert tenants.evse_ids(tenants.B) == []
    assert a_inventory(tenants) == before


def test_b_cannot_push_for_as_sub_operator(tenants: Api) -> None:
    response = tenants.push([tenants.record("DE*XYZ*E7")], tenants.B)
    body = tenants.problem(response, 422, "batch.rejected")
    assert body["errors"][0]["code"] == "evse_id.operator_mismatch"


def test_b_cannot_push_a_body_in_as_name(tenants: Api) -> None:
    before = a_inventory(tenants)
    response = tenants.push([tenants.record("DE*ABC*E1")], tenants.B, body_operator="DE*ABC")
    tenants.problem(response, 400, "batch.operator_mismatch")
    assert a_inventory(tenants) == before


def test_bs_full_load_leaves_a_alone(tenants: Api) -> None:
    before = a_inventory(tenants)
    response = tenants.push([], tenants.B, "fullLoad", confirm_withdrawals=len(B_EVSES))
    assert response.json()["withdrawn"] == len(B_EVSES)
    assert a_inventory(tenants) == before


def test_b_importing_as_evse_ids_is_refused(tenants: Api) -> None:
    before = a_inventory(tenants)
    data = tenants.csv_file(tenants.csv_row("NL*EVN*E7"), tenants.csv_row("DE*ABC*E1"))
    body = tenants.problem(tenants.import_file(data, tenants.B), 422, "batch.rejected")
    [error] = body["errors"]
    assert (error["line"], error["code"]) == (3, "evse_id.operator_mismatch")
    assert a_inventory(tenants) == before


@pytest.mark.parametrize("file_format", ["bnetza", "afdc"])
def test_a_register_import_creates_the_callers_evses_only(tenants: Api, file_format: str) -> None:
    """Registers carry no EVSE IDs: they are made in the importing operator's name."""
    before = a_inventory(tenants)
    data = tenants.bnetza_file() if file_format == "bnetza" else tenants.afdc_file()
    response = tenants.import_file(data, tenants.B, format=file_format)
    assert response.json()["inserted"] == 2, response.text
    new = set(tenants.evse_ids(tenants.B)) - set(B_EVSES)
    assert len(new) == 2
    assert all(evse_id.startswith("NL*EVN*E") for evse_id in new)
    assert a_inventory(tenants) == before


def test_the_oicp_path_with_as_operator_id_and_bs_token_is_not_found(tenants: Api) -> None:
    before = a_inventory(tenants)
    for body_operator in ("DE*ABC", "NL*EVN"):
        body = tenants.oicp_body(body_operator, [tenants.record("DE*ABC*E1")], "fullLoad")
        response = tenants.oicp_push("DE*ABC", body, as_=tenants.B)
        tenants.problem(response, 404, "operator.not_found")
    unregistered = tenants.oicp_push("FR*ZZZ", b"{}", as_=tenants.B)
    assert unregistered.json() == {
        **response.json(),
        "detail": response.json()["detail"].replace("DE*ABC", "FR*ZZZ"),
    }
    assert a_inventory(tenants) == before


# --- Hubject's network paths ---------------------------------------------------------


def hubject(api: Api, method: str, path: str, operator: str, body: Any, as_: str) -> Any:
    return api.client.request(
        method,
        path.format(operator_id=operator),
        content=json.dumps(body).encode(),
        headers={**api.auth(as_), "Content-Type": "application/json"},
    )


def a_networks(api: Api) -> Any:
    """Everything A has in networks: each network with its groups and their EVSE counts."""
    return [
        get_network(api.store, api.A, summary.id) for summary in list_networks(api.store, api.A)
    ]


def test_hubject_network_creation_never_reaches_as_evses(tenants: Api) -> None:
    body = {
        "evseNetworkName": "Mine",
        "evseGroups": [{"groupName": "G", "evseIds": ["DE*ABC*E1"]}],
    }
    on_as_path = hubject(tenants, "POST", HUBJECT_CREATE, "DE*ABC", body, tenants.B)
    tenants.problem(on_as_path, 404, "operator.not_found")
    own_path = hubject(tenants, "POST", HUBJECT_CREATE, "NL*EVN", body, tenants.B)
    problem = tenants.problem(own_path, 409, "assignment.refused")
    assert [error["code"] for error in problem["errors"]] == ["evse.unknown"]
    missing = {**body, "evseGroups": [{"groupName": "G", "evseIds": ["DE*ABC*E404"]}]}
    missing_problem = hubject(tenants, "POST", HUBJECT_CREATE, "NL*EVN", missing, tenants.B)
    foreign_text = json.dumps(problem).replace("DE*ABC*E1", "<id>")
    assert foreign_text == json.dumps(missing_problem.json()).replace("DE*ABC*E404", "<id>")
    assert list_networks(tenants.store, tenants.B) == []
    assert a_networks(tenants) == []


def test_hubject_assignment_never_reaches_as_networks(tenants: Api) -> None:
    for operator in (tenants.A, tenants.B):
        body = {"evseNetworkName": "Shared", "evseGroups": [{"groupName": "G", "evseIds": []}]}
        created = hubject(tenants, "POST", HUBJECT_CREATE, operator, body, operator)
        assert created.status_code == 201, created.text
    before = a_networks(tenants)
    assign = {"NetworkName": "Shared", "GroupsAssignments": [{"GroupName": "G", "Evses": []}]}
    on_as_path = hubject(tenants, "PUT", HUBJECT_ASSIGN, "DE*ABC", assign, tenants.B)
    tenants.problem(on_as_path, 404, "operator.not_found")
    as_evse = {**assign, "GroupsAssignments": [{"GroupName": "G", "Evses": ["DE*ABC*E2"]}]}
    refused = hubject(tenants, "PUT", HUBJECT_ASSIGN, "NL*EVN", as_evse, tenants.B)
    assert tenants.problem(refused, 409, "assignment.refused")["errors"][0]["code"] == (
        "evse.unknown"
    )
    own = {**assign, "GroupsAssignments": [{"GroupName": "G", "Evses": ["NL*EVN*E1"]}]}
    answer = hubject(tenants, "PUT", HUBJECT_ASSIGN, "NL*EVN", own, tenants.B)
    assert answer.json()["GroupsAssignments"] == [{"GroupName": "G", "Evses": ["NL*EVN*E1"]}]
    assert a_networks(tenants) == before
    only_as = {**assign, "NetworkName": "Only A's"}
    create = {"evseNetworkName": "Only A's", "evseGroups": [{"groupName": "G", "evseIds": []}]}
    assert hubject(tenants, "POST", HUBJECT_CREATE, "DE*ABC", create, tenants.A).status_code == 201
    foreign = hubject(tenants, "PUT", HUBJECT_ASSIGN, "NL*EVN", only_as, tenants.B)
    tenants.problem(foreign, 404, "network.not_found")


# --- tokens ---------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_digest(api: Api) -> None:
    token_id, token = create_token(api.store, api.A, "ci")
    assert token.startswith("evn_")
    assert len(token) > 40
    with api.store.engine.connect() as connection:
        row = connection.execute(select(api_tokens).where(api_tokens.c.id == token_id)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in row}
    assert authenticate(api.store, token) is not None


def test_b_cannot_revoke_as_token(api: Api) -> None:
    token_id, token = create_token(api.store, api.A, "ci")
    with pytest.raises(NotFound) as raised:
        revoke_token(api.store, api.B, token_id)
    assert raised.value.code == "token.not_found"
    assert authenticate(api.store, token) is not None
    revoke_token(api.store, api.A, token_id)
    assert authenticate(api.store, token) is None
    with pytest.raises(NotFound):
        revoke_token(api.store, api.A, token_id)


def test_tokens_name_their_own_operator(api: Api) -> None:
    assert str(authenticate(api.store, api.tokens[api.A])) == "DE*ABC"
    assert str(authenticate(api.store, api.tokens[api.B])) == "NL*EVN"
    assert authenticate(api.store, "") is None
    assert authenticate(api.store, "evn_" + "x" * 500) is None


def test_a_token_for_an_unknown_operator_is_refused(api: Api) -> None:
    with pytest.raises(NotFound) as raised:
        create_token(api.store, "FR*ZZZ")
    assert raised.value.code == "operator.unknown"


# --- networks, groups, assignments, audit ------------------------------------------------


def _a_network(api: Api) -> tuple[int, int]:
    """A's draft network with group G holding DE*ABC*E1."""
    response = api.client.post(
        "/api/v1/networks", json={"name": "Shared name"}, headers=api.auth(api.A)
    )
    network = response.json()["id"]
    group = api.client.post(
        f"/api/v1/networks/{network}/groups", json={"name": "G"}, headers=api.auth(api.A)
    ).json()["id"]
    assigned = api.client.post(
        f"/api/v1/networks/{network}/assignments",
        json={"group_id": group, "evse_ids": ["DE*ABC*E1"]},
        headers=api.auth(api.A),
    )
    assert assigned.status_code == 200, assigned.text
    return network, group


def test_b_reaches_none_of_as_networks_groups_and_assignments(tenants: Api) -> None:
    network, group = _a_network(tenants)
    before = dump(tenants.store)
    base = f"/api/v1/networks/{network}"
    missing = "/api/v1/networks/999999"
    calls = [
        ("GET", "", None, "network.not_found"),
        ("PATCH", "", {"name": "Mine"}, "network.not_found"),
        ("DELETE", "", None, "network.not_found"),
        ("GET", "/groups", None, "network.not_found"),
        ("POST", "/groups", {"name": "H"}, "network.not_found"),
        ("PATCH", f"/groups/{group}", {"name": "H"}, "network.not_found"),
        ("DELETE", f"/groups/{group}", None, "network.not_found"),
        ("GET", "/evses?assigned=true", None, "network.not_found"),
        ("GET", "/evses?assigned=false", None, "network.not_found"),
        ("POST", "/assignments", {"group_id": group, "evse_ids": ["NL*EVN*E1"]}, None),
        ("DELETE", "/assignments", {"evse_ids": ["DE*ABC*E1"]}, None),
    ]
    for method, suffix, body, code in calls:
        foreign = tenants.client.request(
            method, base + suffix, json=body, headers=tenants.auth(tenants.B)
        )
        absent = tenants.client.request(
            method, missing + suffix, json=body, headers=tenants.auth(tenants.B)
        )
        tenants.problem(foreign, 404, code or "network.not_found")
        assert without_ids(foreign.json(), str(network)) == without_ids(absent.json(), "999999")
    assert dump(tenants.store) == before


def test_bs_networks_and_audit_hold_only_its_own(tenants: Api) -> None:
    _a_network(tenants)
    assert tenants.get("/api/v1/networks", tenants.B).json() == {"items": []}
    assert tenants.get("/api/v1/audit", tenants.B).json()["total"] == 0
    created = tenants.client.post(
        "/api/v1/networks", json={"name": "shared NAME"}, headers=tenants.auth(tenants.B)
    )
    assert created.status_code == 201, created.text
    [own] = tenants.get("/api/v1/networks", tenants.B).json()["items"]
    assert (own["name"], own["evse_count"]) == ("shared NAME", 0)
    b_network = own["id"]
    unassigned = tenants.get(
        f"/api/v1/networks/{b_network}/evses", tenants.B, assigned="false", limit=1000
    ).json()
    assert {item["evse_id"] for item in unassigned["items"]} == set(B_EVSES)
    assert [e["action"] for e in tenants.get("/api/v1/audit", tenants.B).json()["items"]] == [
        "network.created"
    ]
    assert tenants.get("/api/v1/audit", tenants.A).json()["total"] == 3


def test_b_reaches_none_of_as_offers(api: Api) -> None:
    """B's token on A's offers, A's network or A's Hubject paths: 404 like a missing one;
    B's own list holds nothing of A's; nothing is written."""
    import json

    from tests.api.offer_api import OFFERS, fixture_bytes, hubject_path, prepare, send

    net = prepare(api)
    body = fixture_bytes("create_unlimited_offer_to_all.json", net)
    draft = send(api, "POST", OFFERS, body)
    assert draft.status_code == 201, draft.text
    published = send(api, "POST", hubject_path(api), body.replace(b'"Berlin public', b'"Other'),
                     acknowledgeZeroPriced=3)  # fmt: skip
    assert published.status_code == 201, published.text
    offer_id = draft.json()["id"]
    update = fixture_bytes("update_prices.json", net)
    before = dump(api.store)
    assert send(api, "GET", OFFERS, as_=api.B).json() == {"items": []}
    for method, suffix, sent in [
        ("GET", "", None),
        ("PUT", "", body),
        ("PATCH", "", b'{"partnerInternalId": "Mine"}'),
        ("DELETE", "", None),
        ("GET", "/review", None),
        ("POST", "/publish", b'{"acknowledge_zero_priced": 3}'),
        ("POST", "/versions", update),
        ("GET", "/versions", None),
        ("GET", "/zero-priced-evses", None),
    ]:
        foreign = send(api, method, f"{OFFERS}/{offer_id}{suffix}", sent, as_=api.B)
        absent = send(api, method, f"{OFFERS}/999999{suffix}", sent, as_=api.B)
        api.problem(foreign, 404, "offer.not_found")
        assert without_ids(foreign.json(), str(offer_id)) == without_ids(absent.json(), "999999")
    api.problem(send(api, "POST", OFFERS, body, as_=api.B), 404, "network.not_found")
    api.problem(send(api, "POST", hubject_path(api, api.B), body, as_=api.B), 404,
                "network.not_found")  # fmt: skip
    put = send(api, "PUT", f"{hubject_path(api, api.B)}/{offer_id}", update, as_=api.B)
    api.problem(put, 404, "offer.not_found")
    for method, path in (("POST", hubject_path(api)), ("PUT", f"{hubject_path(api)}/{offer_id}")):
        wrong = send(api, method, path, json.dumps({}).encode(), as_=api.B)
        api.problem(wrong, 404, "operator.not_found")
    upload = api.client.post(
        f"{hubject_path(api)}/attachments",
        files={"file": ("t.pdf", b"%PDF-1.4", "application/pdf")},
        data={"attachmentType": "pdf"},
        headers=api.auth(api.B),
    )
    api.problem(upload, 404, "operator.not_found")
    assert dump(api.store) == before


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_two_operators_and_two_providers_each_see_only_their_own(api: Api) -> None:
    """A and B, DE*ICE and FR*EMP on every subscription and provider path: each reads
    exactly its own, a bilateral offer is invisible to the provider it does not name, a
    foreign object answers 404, the other party's token 403, and nothing is written."""
    import json

    from tests.api.offer_api import send
    from tests.api.provider_api import parties

    p = parties(api)
    w = p.world
    ice, emp = "DE*ICE", "FR*EMP"
    before = dump(api.store)
    # Operators: A sees the three subscriptions to its offers, B none and not A's offer.
    assert _ids(api.get("/api/v1/subscriptions", api.A)) == {p.requested, p.rejected, p.bilateral}
    assert _ids(api.get("/api/v1/subscriptions", api.B)) == set()
    assert _ids(api.get(f"/api/v1/offers/{w.to_all}/subscriptions")) == {p.requested, p.rejected}
    api.problem(api.get(f"/api/v1/offers/{w.to_all}/subscriptions", api.B), 404, "offer.not_found")
    # Hubject's info: A's offers with their subscribers; B's empty; A's path 404 for B.
    info = api.get(HUBJECT_OFFERS.format(operator_id=api.A) + "/info").json()["offersInfo"]
    assert {s["id"] for i in info for s in i["subscriptions"]} == {
        str(p.requested),
        str(p.rejected),
        str(p.bilateral),
    }
    assert api.get(HUBJECT_OFFERS.format(operator_id=api.B) + "/info", api.B).json() == {
        "offersInfo": []
    }
    for suffix in ("/info", f"/{w.to_all}/historical-versions-info"):
        foreign = api.get(HUBJECT_OFFERS.format(operator_id=api.A) + suffix, api.B)
        api.problem(foreign, 404, "operator.not_found")
    versions = HUBJECT_OFFERS.format(operator_id=api.B) + f"/{w.to_all}/historical-versions-info"
    api.problem(api.get(versions, api.B), 404, "offer.not_found")
    # Providers: their own subscriptions; the bilateral offer only for the one it names.
    assert _ids(api.get(PROVIDER_SUBSCRIPTIONS, ice)) == {p.requested, p.bilateral}
    assert _ids(api.get(PROVIDER_SUBSCRIPTIONS, emp)) == {p.rejected}
    assert _ids(api.get("/api/v1/provider/offers", ice)) == {w.to_all, w.bilateral}
    assert _ids(api.get("/api/v1/provider/offers", emp)) == {w.to_all}
    # The operator's view: DE*ICE sees the bilateral offer it is subscribed to, and only
    # that; FR*EMP (rejected) sees nothing of A; nobody sees B, with which none subscribes.
    view = api.get(EMP_VIEW.format(provider_id=ice, operator_id=api.A), ice).json()
    assert [o["OfferDetails"]["ServiceOfferID"] for o in view["Offers"]] == [str(w.bilateral)]
    for provider, operator in ((emp, api.A), (ice, api.B)):
        for path in (EMP_VIEW.format(provider_id=provider, operator_id=operator),
                     V1_VIEW.format(operator_id=operator)):  # fmt: skip
            api.problem(api.get(path, provider), 404, "operator.not_found")
    api.problem(
        api.get(EMP_VIEW.format(provider_id=emp, operator_id=api.A), ice), 404, "provider.not_found"
    )
    evses = GROUP_EVSES.format(
        service_offer_id=w.bilateral, network_id=w.net.id, group_id=w.net.north
    )
    assert api.get(V1_VIEW.format(operator_id=api.A) + evses, ice).status_code == 200
    api.problem(api.get(V1_VIEW.format(operator_id=api.A) + evses, emp), 404, "group.not_found")
    # Writes across tenants: 404, exactly like a missing object.
    reason = json.dumps({"reason": "OTHERS"}).encode()
    data = json.dumps({"master_data": {}, "terms_confirmed": True}).encode()
    subscribe = json.dumps({"offer_id": w.bilateral, "terms_confirmed": True}).encode()
    mine = PROVIDER_SUBSCRIPTIONS
    for method, path, body, as_, code in [
        ("POST", f"/api/v1/subscriptions/{p.requested}/accept", None, api.B, "subscription"),
        ("POST", f"/api/v1/subscriptions/{p.requested}/reject", reason, api.B, "subscription"),
        ("PUT", f"{mine}/{p.requested}/master-data", data, emp, "subscription"),
        ("PUT", f"{mine}/{p.rejected}/master-data", data, ice, "subscription"),
        ("POST", f"{mine}/{p.bilateral}/cancel", b"{}", emp, "subscription"),
        ("POST", mine, subscribe, emp, "offer"),
    ]:
        api.problem(send(api, method, path, body, as_=as_), 404, f"{code}.not_found")
    # The other party's token: 403 on every path of the other side.
    filled = {"{operator_id}": api.A, "{provider_id}": ice, "{subscription_id}": str(p.requested),
              "{offer_id}": str(w.to_all), "{service_offer_id}": str(w.bilateral),
              "{network_id}": str(w.net.id), "{group_id}": str(w.net.north)}  # fmt: skip
    for (method, path), test in TENANCY_TESTS.items():
        if test != "test_two_operators_and_two_providers_each_see_only_their_own":
            continue
        for key, value in filled.items():
            path = path.replace(key, value)
        as_ = (
            api.A
            if (method, path) in PROVIDER_ROUTES
            or path.startswith(("/api/v1/provider", "/api/premium"))
            else ice
        )
        body = b"{}" if method in ("POST", "PUT") else None
        api.problem(send(api, method, path, body, as_=as_), 403, "auth.wrong_party")
    assert dump(api.store) == before


def test_b_prices_nothing_at_as_evses_and_simulates_none_of_as_offers(api: Api) -> None:
    """The pricing paths' tenancy test lives with them (tests/api/test_prices_api.py)."""
    from tests.api import test_prices_api

    test_prices_api.test_b_prices_nothing_at_as_evses_and_simulates_none_of_as_offers(
        test_prices_api.publish_offer(api)
    )


def test_two_operators_and_two_providers_price_only_where_they_may(api: Api) -> None:
    """A and B price at their own EVSEs only; DE*ICE (subscribed to A's offer-to-all)
    prices at A's EVSEs and none of B's; FR*EMP (rejected by A) prices nowhere. Every EVSE a
    party may not price at answers exactly like a missing one, alone or in a batch, and
    nothing is written."""
    import json

    from evsenet.domain.ids import OperatorId
    from evsenet.services import subscriptions as svc
    from tests.api.provider_api import parties
    from tests.api.test_prices_api import SESSION, batch, post
    from tests.integration.network_fixtures import ACTOR
    from tests.integration.offer_fixtures import NOW

    p = parties(api)
    svc.accept(api.store, OperatorId.parse(api.A), p.requested, actor=ACTOR, now=NOW)
    before = dump(api.store)
    session = {**SESSION, "provider_id": "DE*ICE"}
    a_evse, b_evse, missing = "DE*ABC*E1", "NL*EVN*E1", "DE*ABC*E404"
    may = {api.A: {a_evse}, api.B: {b_evse}, "DE*ICE": {a_evse}, "FR*EMP": set()}
    for party, allowed in may.items():
        body = {**session, "provider_id": party if party in ("DE*ICE", "FR*EMP") else "DE*ICE"}
        absent = post(api, "/api/v1/prices", {**body, "evse_id": missing}, party).text
        lines = []
        for evse_id in (a_evse, b_evse):
            answer = post(api, "/api/v1/prices", {**body, "evse_id": evse_id}, party)
            lines.append(json.dumps({**body, "evse_id": evse_id}))
            if evse_id in allowed:
                assert answer.status_code == 200, (party, evse_id, answer.text)
                assert answer.json()["evse_id"] == evse_id
            else:
                api.problem(answer, 404, "evse.not_found")
                assert answer.text.replace(evse_id, "?") == absent.replace(missing, "?")
        answers = batch(api, "\n".join(lines).encode(), as_=party)
        priced = {line["line"] for line in answers if "price" in line}
        assert priced == {n for n, e in enumerate((a_evse, b_evse), 1) if e in allowed}, party
    assert dump(api.store) == before


def test_two_operators_and_two_providers_export_only_what_they_may(api: Api) -> None:
    """DE*ICE downloads the exports of A's offer-to-all (accepted) and of the bilateral
    offer naming it; FR*EMP (rejected, not named) neither; B's and A's tokens are refused on
    the provider's paths; every refused offer answers like a missing one; nothing is
    written."""
    from evsenet.domain.ids import OperatorId
    from evsenet.services import subscriptions as svc
    from tests.api.provider_api import parties
    from tests.integration.network_fixtures import ACTOR
    from tests.integration.offer_fixtures import NOW

    p = parties(api)
    w = p.world
    svc.accept(api.store, OperatorId.parse(api.A), p.requested, actor=ACTOR, now=NOW)
    before = dump(api.store)
    may = {"DE*ICE": {w.to_all, w.bilateral}, "FR*EMP": set()}
    for (_, template), party in [(r, q) for r in sorted(PROVIDER_EXPORTS) for q in may]:
        missing = api.get(template.replace("{offer_id}", "999999"), party).text
        for offer in (w.to_all, w.bilateral, w.draft):
            answer = api.get(template.replace("{offer_id}", str(offer)), party)
            if offer in may[party]:
                assert answer.status_code == 200, (party, offer, answer.text)
            else:
                api.problem(answer, 404, "offer.not_found")
                assert answer.text.replace(str(offer), "?") == missing.replace("999999", "?")
        for operator in (api.A, api.B):
            refused = api.get(template.replace("{offer_id}", str(w.to_all)), operator)
            api.problem(refused, 403, "auth.wrong_party")
    assert dump(api.store) == before
