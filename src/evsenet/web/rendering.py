"""Templates and how pages and fragments are answered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
"""Autoescaping is on for every `.html` template (Starlette's default)."""


def kilowatts(value: Decimal) -> str:
    """`22.00` → `22`, `3.70` → `3.7`: an output as people write it."""
    text = format(value.normalize(), "f")
    return text


def thousands(value: int) -> str:
    return f"{value:,}"


def day(moment: datetime) -> str:
    """An instant's date in UTC: `2027-01-01`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def moment(value: datetime) -> str:
    """An instant in UTC to the second: `2027-01-01 00:00:00 UTC`."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def query(params: Mapping[str, object], **changes: object) -> str:
    """A query string of `params` with `changes` applied; empty values are left out."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


templates.env.filters["kw"] = kilowatts
templates.env.filters["thousands"] = thousands
templates.env.filters["day"] = day
templates.env.filters["moment"] = moment
templates.env.globals["query"] = query


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render template `name` with the signed-in session (if any) in its context."""
    session = getattr(request.state, "session", None)
    full = {
        "session": session,
        "csrf_token": session.csrf_token if session else "",
        **(context or {}),
    }
    return templates.TemplateResponse(
        request, name, full, status_code=status, headers=dict(headers or {})
    )
