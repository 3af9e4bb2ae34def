"""A real `evsenet serve` in a subprocess: parallel requests racing for one EVSE and one
group name (exactly one wins, the others get 409), and a server killed (SIGKILL) in the
middle of a 100,000-EVSE bulk assignment (nothing or everything is written).

PostgreSQL runs 4 workers; SQLite one (its write transactions are serial anyway).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import create_engine, func, select, text

from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor
from evsenet.services import networks as svc
from evsenet.services.operators import register_operator
from evsenet.services.tokens import create_token
from evsenet.store.engine import Store
from evsenet.store.migrate import upgrade
from evsenet.store.synthetic import generate_evses
from evsenet.store.tables import assignments, evse_groups
from tests.conftest import private_postgres_schema
from tests.served_process import free_port

A = "DE*ABC"
ACTOR = Actor.system()
START_TIMEOUT_S = 120
"""Generous: four workers start slowly on a busy machine."""
PARALLEL = 20


@dataclass
class Server:
    url: str
    database_url: str
    workers: int
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        port = free_port()
        env = {**os.environ, "EVSENET_DATABASE_URL": self.database_url}
        command = [sys.executable, "-m", "evsenet.cli", "serve", "--port", str(port)]
        command += ["--workers", str(self.workers)]
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx2.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx2.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"no healthy server within {START_TIMEOUT_S} s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.sqlite'}"
        return
    with private_postgres_schema("evsenet_race") as url:
        yield url


def _prepare(database_url: str, evses: int) -> tuple[Store, str]:
    """A migrated database with operator A, its token and `evses` generated EVSEs."""
    store = Store(database_url)
    upgrade(store)
    row = register_operator(store, A)
    with store.transaction(write=True) as connection:
        generate_evses(connection, row.pk, OperatorId.parse(A), evses)
    return store, create_token(store, A, "race")[1]


def _serve(database_url: str, workers: int) -> Server:
    server = Server("", database_url, workers)
    server.start()
    return server


def _fire(requests: list[tuple[str, str, dict[str, Any]]], token: str) -> list[httpx2.Response]:
    """Send the requests at once (a barrier releases them together)."""
    barrier = threading.Barrier(len(requests))

    def send(request: tuple[str, str, dict[str, Any]]) -> httpx2.Response:
        method, url, body = request
        with httpx2.Client(timeout=60) as client:
            barrier.wait()
            response: httpx2.Response = client.request(
                method, url, json=body, headers={"Authorization": f"Bearer {token}"}
            )
            return response

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def _workers(database_url: str) -> int:
    return 1 if database_url.startswith("sqlite") else 4


def test_parallel_requests_for_one_evse_or_one_group_name_have_exactly_one_winner(
    database_url: str,
) -> None:
    store, token = _prepare(database_url, 10)
    network = svc.create_network(store, A, "Race", actor=ACTOR).id
    groups = [svc.add_group(store, A, network, f"G{n}", actor=ACTOR).id for n in range(PARALLEL)]
    server = _serve(database_url, _workers(database_url))
    try:
        base = f"{server.url}/api/v1/networks/{network}"
        # `move: false`: a request that comes second must not move the EVSE on, so that
        # the winner is the first, whatever the timing (in a draft network a later request
        # would otherwise legitimately move it).
        assign = [
            (
                "POST",
                base + "/assignments",
                {"group_id": g, "evse_ids": ["DE*ABC*E1"], "move": False},
            )
            for g in groups
        ]
        answers = _fire(assign, token)
        statuses = Counter(response.status_code for response in answers)
        assert statuses == {200: 1, 409: PARALLEL - 1}, [r.text for r in answers]
        assert {r.json()["code"] for r in answers if r.status_code == 409} <= {
            "assignment.refused",
            "assignment.concurrent_change",
        }
        with store.engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(assignments)).scalar() == 1

        names = [
            ("POST", base + "/groups", {"name": "Same" if n % 2 else "SAME"})
            for n in range(PARALLEL)
        ]
        answers = _fire(names, token)
        statuses = Counter(response.status_code for response in answers)
        assert statuses == {201: 1, 409: PARALLEL - 1}, [r.text for r in answers]
        assert {r.json()["code"] for r in answers if r.status_code == 409} == {"group.name_taken"}
        with store.engine.connect() as connection:
            same = select(func.count()).where(evse_groups.c.name_key == "same")
            assert connection.execute(same).scalar() == 1
    finally:
        server.stop()
        store.dispose()


BULK = 100_000


def _writer_busy(database_url: str) -> bool:
    """Whether a write transaction is open on the database right now."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            busy = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND state IN ('active', 'idle in transaction') "
                    "AND query ILIKE '%network_selection%'"
                )
            ).scalar()
        return bool(busy)
    finally:
        engine.dispose()


def test_a_server_killed_during_a_bulk_assignment_leaves_all_or_nothing(database_url: str) -> None:
    store, token = _prepare(database_url, BULK)
    network = svc.create_network(store, A, "Bulk", actor=ACTOR).id
    old = svc.add_group(store, A, network, "Old", actor=ACTOR).id
    new = svc.add_group(store, A, network, "New", actor=ACTOR).id
    old_ids = [f"DE*ABC*E{n}" for n in range(1, 101)]
    svc.assign_evses(
        store, A, network, svc.GroupRef(id=old), svc.EvseSelection(evse_ids=old_ids), actor=ACTOR
    )
    before = svc.get_network(store, A, network)
    server = _serve(database_url, 1)
    body = {"group_id": new, "evse_ids": [f"DE*ABC*E{n}" for n in range(1, BULK + 1)]}
    outcome: list[object] = []

    def send() -> None:
        try:
            with httpx2.Client(timeout=120) as client:
                outcome.append(
                    client.post(
                        f"{server.url}/api/v1/networks/{network}/assignments",
                        json=body,
                        headers={"Authorization": f"Bearer {token}"},
                    ).status_code
                )
        except httpx2.HTTPError as error:
            outcome.append(error)

    sender = threading.Thread(target=send)
    try:
        sender.start()
        deadline = time.monotonic() + 60
        busy = False
        while not busy and time.monotonic() < deadline and not outcome:
            busy = _writer_busy(database_url)
            time.sleep(0.005)
        assert not outcome, f"the request ended before the kill: {outcome}"
        assert busy, "no write transaction was seen within 60 s"
        server.stop(signal.SIGKILL)
        sender.join(timeout=30)
        assert outcome, "the request did not end with the server"
        assert isinstance(outcome[0], httpx2.HTTPError), outcome
        server = _serve(database_url, 1)
        after = svc.get_network(store, A, network)
        counts = {g.name: g.evse_count for g in after.groups}
        all_assigned = {"New": BULK, "Old": 0}
        assert counts in ({g.name: g.evse_count for g in before.groups}, all_assigned), counts
        with store.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(assignments)).scalar()
        assert total in (100, BULK)
        health = httpx2.get(server.url + "/health", timeout=5)
        assert health.status_code == 200
    finally:
        server.stop()
        store.dispose()
