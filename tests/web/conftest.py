"""The web tests' operators: A (`ops@abc.example`) with ten EVSEs and a network, and B
(`ops@evn.example`); a client of the app that keeps redirects to itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from evsenet.api import create_app
from evsenet.services.users import add_user
from evsenet.store.engine import Store
from tests.integration.network_fixtures import A, B, seed
from tests.integration.offer_fixtures import Net, network
from tests.web.test_web_edge import PASSWORD


@pytest.fixture
def net(store: Store) -> Net:
    seed(store, count=10)
    add_user(store, A, "ops@abc.example", PASSWORD)
    add_user(store, B, "ops@evn.example", PASSWORD)
    return network(store)


@pytest.fixture
def client(store: Store, net: Net) -> Iterator[TestClient]:
    with TestClient(create_app(store), follow_redirects=False) as client:
        yield client
