"""The `evsenet` command line: one module per command group, all on one root app.

`evsenet.cli.base` holds what the commands share (the error handling, the database
session, common options); `evsenet.cli.output` renders.
"""

from evsenet.cli import (
    db,
    demo,
    evses,
    groups,
    networks,
    ocpi,
    offers,
    operators,
    price,
    providers,
    serve,
    tokens,
    users,
)
from evsenet.cli.base import app

__all__ = [
    "app",
    "db",
    "demo",
    "evses",
    "groups",
    "networks",
    "ocpi",
    "offers",
    "operators",
    "price",
    "providers",
    "serve",
    "tokens",
    "users",
]
