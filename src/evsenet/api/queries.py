"""Query strings that mean exactly what they say, on every route.

`checked_query` is an app-wide dependency (see `app.py`): a router added later gets it
without doing anything. It refuses

- a parameter the route does not declare (400 `request.unknown_parameter`, naming every
  unknown one and the ones the route takes): `LIMIT=5` or `operator=…` silently ignored
  would answer another question than the one asked;
- a parameter given more than once (422 `request.invalid`, one entry per parameter):
  silently using one of them would do the same.

The known names are derived from the route's declared parameters (their aliases, e.g.
`format`), so they cannot drift from the route's signature.
"""

from __future__ import annotations

from collections import Counter

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from evsenet.api.problems import ApiProblem

_KNOWN: dict[int, frozenset[str]] = {}
"""The query parameter names of each route, by id of the route (routes live as long as the
app; a route is flattened once)."""


def _declared(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


def query_names(route: APIRoute) -> frozenset[str]:
    """The query parameter names `route` and its dependencies declare, by the alias
    clients send."""
    names = _KNOWN.get(id(route))
    if names is None:
        names = frozenset(_declared(route.dependant))
        _KNOWN[id(route)] = names
    return names


def _refuse_repeated(request: Request) -> None:
    counts = Counter(name for name, _ in request.query_params.multi_items())
    repeated = [(name, count) for name, count in counts.items() if count > 1]
    if repeated:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "type": "repeated",
                    "msg": f"The query parameter {name!r} is given {count} times; give it once",
                }
                for name, count in repeated
            ]
        )


def _refuse_unknown(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = query_names(route)
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in known]
    if not unknown:
        return
    shown = ", ".join(repr(name[:60]) for name in unknown[:20])
    if len(unknown) > 20:
        shown += f" and {len(unknown) - 20} more"
    takes = ", ".join(sorted(known)) if known else "none"
    raise ApiProblem(
        400,
        "request.unknown_parameter",
        f"Unknown query parameter(s) {shown}: {request.url.path} takes {takes} "
        "(names are case-sensitive)",
    )


def checked_query(request: Request) -> None:
    """Refuse query parameters the route does not declare, and any given more than once."""
    _refuse_unknown(request)
    _refuse_repeated(request)


single_valued_query = checked_query
"""The name routers used before the check covered unknown parameters too."""
