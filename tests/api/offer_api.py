"""Offers through the HTTP paths: operator A's EVSEs and network, Hubject's example bodies
with the real network and group ids, a fixed clock."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from httpx2 import Response

from evsenet.domain.ids import OperatorId
from evsenet.store.synthetic import generate_evses
from evsenet.store.uow import unit_of_work
from tests.integration.offer_fixtures import NOW, Net, network

if TYPE_CHECKING:
    from tests.api.conftest import Api

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hubject"
OFFERS = "/api/v1/offers"
HUBJECT = "/api/partner/v1/operators/{operator}/service-offers"
JSON = {"Content-Type": "application/json"}


def prepare(api: Api, *, evses: int = 10, north: int = 4, south: int = 3) -> Net:
    """A's EVSEs E1…E{evses}, network Berlin (North: E1…, South: the next), the clock."""
    for operator, count in ((api.A, evses), (api.B, 3)):
        parsed = OperatorId.parse(operator)
        with unit_of_work(api.store, write=True) as uow:
            row = uow.operators.get(parsed)
            assert row is not None
            generate_evses(uow.connection, row.pk, parsed, count)
    api.client.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    return network(api.store, north=north, south=south)


def fixture_bytes(name: str, net: Net) -> bytes:
    """A fixture body as sent, with `net`'s ids in place of the examples' (as text, so
    that malformed bodies stay malformed) and no attachment."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for example in ("net-berlin", "net-zurich"):
        text = text.replace(f'"{example}"', f'"{net.id}"')
    for example, real in net.groups.items():
        text = text.replace(f'"{example}"', f'"{real}"')
    return text.replace('"att-terms-2027"', "null").encode()


def send(api: Api, method: str, path: str, body: bytes | None = None, as_: str | None = None,
         **params: Any) -> Response:  # fmt: skip
    response: Response = api.client.request(
        method,
        path,
        content=body,
        params=params or None,
        headers={**api.auth(as_ or api.A), **(JSON if body is not None else {})},
    )
    return response


def hubject_path(api: Api, operator: str | None = None) -> str:
    return HUBJECT.format(operator=operator or api.A)
