"""The FastAPI application.

`create_app(store)` wires the routers, the bearer-token auth and the problem-details
error mapping around a store. The app never migrates the database: `evsenet db upgrade`
(or `evsenet serve`) does, and `/health` says when the schema is behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from evsenet import config
from evsenet.api.problems import install_problem_handlers
from evsenet.api.routes import (
    assignments,
    audit,
    evses,
    health,
    hubject_offers,
    networks,
    offers,
    oicp,
    operator,
    prices,
)
from evsenet.store.engine import Store

DESCRIPTION = """
Structure and price EV charging networks.

Every `/api` path needs `Authorization: Bearer <token>`; the token's operator scopes
every answer. Errors are RFC 9457 problem details (`application/problem+json`) with a
stable `code`.
"""


def create_app(store: Store | None = None, *, max_body_bytes: int | None = None) -> FastAPI:
    """The API on `store`; without one, on `Store()` (EVSENET_DATABASE_URL or SQLite).

    A store passed in stays the caller's to dispose of; one created here is disposed of
    when the app shuts down. Push and import bodies over `max_body_bytes` (default:
    `EVSENET_MAX_BODY_MIB`, 256 MiB) are refused.
    """
    owned = store is None
    the_store = store if store is not None else Store()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            the_store.dispose()

    app = FastAPI(
        title="evsenet",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.store = the_store
    app.state.max_body_bytes = max_body_bytes or config.max_body_bytes()
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(operator.router)
    app.include_router(evses.router)
    app.include_router(oicp.router)
    app.include_router(networks.router)
    app.include_router(assignments.router)
    app.include_router(audit.router)
    app.include_router(offers.router)
    app.include_router(hubject_offers.router)
    app.include_router(prices.router)
    return app
