"""Persistence: SQLAlchemy 2.0 Core tables, repositories, a unit of work, migrations."""

from evsenet.store.engine import Store

__all__ = ["Store"]
