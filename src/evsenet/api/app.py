"""The FastAPI application.

`create_app(store)` wires the routers, the bearer-token auth and the problem-details
error mapping around a store, and mounts the web UI (`evsenet.web`) at `/` behind them.
The app never migrates the database: `evsenet db upgrade` (or `evsenet serve`) does, and
`/health` says when the schema is behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from evsenet import config
from evsenet.api.docs import install_docs
from evsenet.api.edges import HeadAsGet, RequestDecoding
from evsenet.api.problems import install_problem_handlers, problem_responses
from evsenet.api.queries import checked_query
from evsenet.api.routes import (
    assignments,
    audit,
    evses,
    health,
    hubject_networks,
    hubject_offer_info,
    hubject_offers,
    hubject_provider,
    networks,
    offers,
    oicp,
    operator,
    prices,
    provider,
    subscriptions,
)
from evsenet.api.writes import WriteGate
from evsenet.store.engine import Store

DESCRIPTION = """
Structure and price EV charging networks.

Every `/api` path needs `Authorization: Bearer <token>`; the token's operator scopes
every answer. Errors are RFC 9457 problem details (`application/problem+json`) with a
stable `code`.
"""


def create_app(
    store: Store | None = None,
    *,
    max_body_bytes: int | None = None,
    max_concurrent_writes: int | None = None,
) -> FastAPI:
    """The API on `store`; without one, on `Store()` (EVSENET_DATABASE_URL or SQLite).

    A store passed in stays the caller's to dispose of; one created here is disposed of
    when the app shuts down. Push and import bodies over `max_body_bytes` (default:
    `EVSENET_MAX_BODY_MIB`, 256 MiB) are refused; at most `max_concurrent_writes`
    (default: `EVSENET_MAX_CONCURRENT_WRITES`) pushes and imports run at once.
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
        # A 307 to the path without its slash would be built from the client's Host header
        # and answered before authentication: a path with a trailing slash is not found.
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(checked_query)],
        # Every operation may refuse an unknown query parameter (400, `api/queries.py`).
        responses=problem_responses(400),
    )
    app.state.store = the_store
    app.state.max_body_bytes = max_body_bytes or config.max_body_bytes()
    app.state.writes = WriteGate(
        max_concurrent_writes or config.max_concurrent_writes(), config.WRITE_WAIT_SECONDS
    )
    install_problem_handlers(app)
    install_docs(app)
    app.add_middleware(RequestDecoding)
    app.add_middleware(HeadAsGet)
    app.include_router(health.router)
    app.include_router(operator.router)
    app.include_router(evses.router)
    app.include_router(oicp.router)
    app.include_router(networks.router)
    app.include_router(assignments.router)
    app.include_router(audit.router)
    app.include_router(hubject_networks.router)
    app.include_router(offers.router)
    app.include_router(hubject_offer_info.router)
    app.include_router(hubject_offers.router)
    app.include_router(prices.router)
    app.include_router(subscriptions.router)
    app.include_router(provider.router)
    app.include_router(hubject_provider.router)
    # Imported here: the web UI renders refusals with this package's problem mapping.
    from evsenet.web.app import mount_web

    mount_web(app, the_store, max_body_bytes=app.state.max_body_bytes)
    return app
