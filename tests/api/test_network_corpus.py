"""The corpus of bad network requests (network_corpus.py) on SQLite and PostgreSQL: every
case is refused with its status and code (and per-EVSE codes), and every table is unchanged
row for row. One world per database is built once and shared: no case may change it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evsenet.api import create_app
from evsenet.domain.network import Actor
from evsenet.services.networks import activate_network
from evsenet.services.operators import register_operator
from evsenet.services.tokens import create_token
from evsenet.store.engine import Store
from evsenet.store.migrate import upgrade
from tests.api.conftest import A, Api, B
from tests.api.network_corpus import A_EVSES, B_EVSES, CORPUS, WITHDRAWN, Case, World
from tests.conftest import private_postgres_schema
from tests.integration.snapshots import dump


def _build(api: Api) -> World:
    assert api.push([api.record(e) for e in [*A_EVSES, WITHDRAWN]]).status_code == 200
    assert api.push([api.record(WITHDRAWN)], action="delete").status_code == 200
    nl = [api.record(e, Address={**api.record(e)["Address"], "Country": "NLD"}) for e in B_EVSES]
    assert api.push(nl, api.B).status_code == 200

    def post(path: str, body: object, as_: str = A) -> int:
        response = api.client.post(path, json=body, headers=api.auth(as_))
        assert response.status_code in (200, 201), response.text
        return int(response.json().get("id", 0))

    main = post("/api/v1/networks", {"name": "Main"})
    fast = post(f"/api/v1/networks/{main}/groups", {"name": "Fast"})
    slow = post(f"/api/v1/networks/{main}/groups", {"name": "Slow"})
    post(f"/api/v1/networks/{main}/assignments", {"group_id": fast, "evse_ids": ["DE*ABC*E1"]})
    other = post("/api/v1/networks", {"name": "Other"})
    x = post(f"/api/v1/networks/{other}/groups", {"name": "X"})
    post(f"/api/v1/networks/{other}/assignments", {"group_id": x, "evse_ids": ["DE*ABC*E2"]})
    live = post("/api/v1/networks", {"name": "Live"})
    live_group = post(f"/api/v1/networks/{live}/groups", {"name": "L"})
    post(f"/api/v1/networks/{live}/groups", {"name": "Later"})
    post(
        f"/api/v1/networks/{live}/assignments", {"group_id": live_group, "evse_ids": ["DE*ABC*E3"]}
    )
    activate_network(api.store, A, live, actor=Actor.system())
    bees = post("/api/v1/networks", {"name": "Bees"}, B)
    post(f"/api/v1/networks/{bees}/groups", {"name": "B1"}, B)
    return World(main, fast, slow, other, x, live, live_group, bees)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Api, World]]:
    with _Store(request, tmp_path_factory) as store:
        register_operator(store, A, "ABC technologies", sub_operators=["DE*XYZ"])
        register_operator(store, B, "EVN Netherlands")
        tokens = {A: create_token(store, A, "tests")[1], B: create_token(store, B, "tests")[1]}
        with TestClient(create_app(store)) as client:
            api = Api(client, store, tokens)
            yield api, _build(api)


class _Store:
    """A migrated store of the module's own (a private schema on PostgreSQL)."""

    def __init__(self, request: pytest.FixtureRequest, factory: pytest.TempPathFactory) -> None:
        self.request, self.factory = request, factory

    def __enter__(self) -> Store:
        if self.request.param == "sqlite":
            path: Path = self.factory.mktemp("corpus") / "corpus.sqlite"
            shutil.copy(self.request.getfixturevalue("sqlite_template"), path)
            self.schema = None
            self.store = Store(f"sqlite:///{path}")
        else:
            self.schema = private_postgres_schema("evsenet_corpus")
            self.store = Store(self.schema.__enter__())
            upgrade(self.store)
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.dispose()
        if self.schema is not None:
            self.schema.__exit__(None, None, None)


def test_the_corpus_has_at_least_thirty_cases_with_distinct_ids() -> None:
    assert len(CORPUS) >= 30
    assert len({case.id for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_a_bad_request_is_refused_with_its_code_and_writes_nothing(
    world: tuple[Api, World], case: Case
) -> None:
    api, objects = world
    path, body = case.render(objects)
    before = dump(api.store)
    headers = {**api.auth(B if case.as_b else A), **case.headers}
    if case.raw:
        response = api.client.request(case.method, path, content=body, headers=headers)
    else:
        response = api.client.request(case.method, path, json=body, headers=headers)
    problem = api.problem(response, case.status, case.code)
    if case.errors:
        assert [error["code"] for error in problem["errors"]] == list(case.errors)
    assert dump(api.store) == before
