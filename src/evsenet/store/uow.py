"""The unit of work: one transaction and the repositories that work inside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from evsenet.store.count_cache import CountCache
from evsenet.store.engine import Store
from evsenet.store.repositories.audit import AuditRepository
from evsenet.store.repositories.evses import EvseRepository
from evsenet.store.repositories.networks import NetworkRepository
from evsenet.store.repositories.offers import OfferRepository
from evsenet.store.repositories.operators import OperatorRepository
from evsenet.store.repositories.providers import ProviderRepository
from evsenet.store.repositories.tokens import TokenRepository
from evsenet.store.repositories.users import UserRepository


class UnitOfWork:
    """Repositories sharing one connection and one transaction."""

    def __init__(self, connection: Connection, counts: CountCache | None = None) -> None:
        self.connection = connection
        self.operators = OperatorRepository(connection)
        self.evses = EvseRepository(connection)
        self.tokens = TokenRepository(connection)
        self.users = UserRepository(connection)
        self.networks = NetworkRepository(connection, counts)
        self.audit = AuditRepository(connection)
        self.offers = OfferRepository(connection)
        self.providers = ProviderRepository(connection)


@contextmanager
def unit_of_work(store: Store, *, write: bool = False) -> Iterator[UnitOfWork]:
    """Commit when the block ends normally; roll back, leaving nothing written, otherwise."""
    with store.transaction(write=write) as connection:
        yield UnitOfWork(connection, store.counts)
