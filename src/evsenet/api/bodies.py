"""Request bodies that are read raw: which media types a path takes, and how many bytes.

Push and import bodies go to evsenet's own format readers. Before they do, the edge
refuses a body that cannot be what the path expects — another media type, such as a file
sent as a multipart form, or declared in a charset other than UTF-8 (415
`media_type.unsupported`) — and a body over the app's limit
(413 `request.too_large`), which is read no further than the limit. A body without a
`Content-Type` is taken as what the path expects. A large body is spooled to a temporary
file rather than held in memory while it is parsed (`spool_body`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from evsenet.api.problems import ApiProblem, problem_responses


@dataclass(frozen=True, slots=True)
class BodyKind:
    """What a path takes as its body, and what to tell a client that sent something else."""

    expected: str
    accepts: Callable[[str], bool]
    how: str
    elsewhere: tuple[tuple[str, str], ...] = ()
    """(media type, where bodies of that type go instead)."""

    def refusal(self, media_type: str) -> str:
        detail = f"This path takes {self.expected}, not {media_type}: {self.how}"
        for other, where in self.elsewhere:
            if media_type == other:
                detail += f" ({where})"
        return detail


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


_FILE_TYPES = frozenset({"application/csv", "application/octet-stream", "application/vnd.ms-excel"})


def _is_file(media_type: str) -> bool:
    return media_type.startswith("text/") or media_type in _FILE_TYPES


OICP_JSON = BodyKind(
    expected="an OICP 2.3 eRoamingPushEvseData JSON body",
    accepts=_is_json,
    how="send the JSON itself as the request body with 'Content-Type: application/json'",
    elsewhere=(("text/csv", "CSV files go to POST /api/v1/evses/import"),),
)
EVSE_FILE = BodyKind(
    expected="a file of EVSEs (evsenet CSV, BNetzA register or AFDC export)",
    accepts=_is_file,
    how="send the file itself as the request body with 'Content-Type: text/csv', not as a "
    "form (curl --data-binary @evses.csv -H 'Content-Type: text/csv')",
    elsewhere=(("application/json", "OICP JSON bodies go to POST /api/v1/evses/push"),),
)

BODY_RESPONSES = problem_responses(413, 415)
"""The OpenAPI entries of the refusals `read_body` gives."""


def _media_type(request: Request) -> str | None:
    header = request.headers.get("content-type", "")
    return header.split(";", 1)[0].strip().lower() or None


_UTF_8 = frozenset({"utf-8", "utf8"})


def _charset(request: Request) -> str | None:
    """The `charset` parameter of the Content-Type, if one is declared."""
    _, _, parameters = request.headers.get("content-type", "").partition(";")
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _check_charset(request: Request) -> None:
    """Refuse a body declared in another charset than UTF-8: JSON is UTF-8 (RFC 8259
    §8.1) and evsenet reads files as UTF-8, so such a body would be misread."""
    charset = _charset(request)
    if charset is not None and charset not in _UTF_8:
        raise ApiProblem(
            415,
            "media_type.unsupported",
            f"The body is declared charset={charset[:40]!r}; this service reads UTF-8 only "
            "(JSON is UTF-8 by RFC 8259): send the body as UTF-8 with charset=utf-8 or "
            "without a charset",
        )


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        413,
        "request.too_large",
        f"The body is larger than the {limit} bytes this service takes in one request; "
        "split the batch into several pushes or imports (insert, update or upsert)",
    )


SPOOL_IN_MEMORY = 1024 * 1024
"""Bodies up to this size stay in memory; larger ones are spooled to a temporary file."""
WRITE_BATCH = 1024 * 1024
"""Bytes gathered before one write to the spool file, which runs in a worker thread: a
disk busy with other writes must not stall the event loop (and every other request)."""


async def _write(spooled: IO[bytes], pending: list[bytes]) -> None:
    if pending:
        data = b"".join(pending)
        pending.clear()
        await run_in_threadpool(spooled.write, data)


async def read_body(request: Request, kind: BodyKind) -> bytes:
    """The request body, once its media type fits `kind` and its size the app's limit."""
    with await spool_body(request, kind) as body:
        return body.read()


async def spool_body(request: Request, kind: BodyKind) -> IO[bytes]:
    """The request body in a temporary file (in memory up to SPOOL_IN_MEMORY bytes),
    positioned at its start, once its media type fits `kind` and its size the app's
    limit. The caller closes it (which deletes it)."""
    media_type = _media_type(request)
    if media_type is not None and not kind.accepts(media_type):
        raise ApiProblem(415, "media_type.unsupported", kind.refusal(media_type))
    _check_charset(request)
    limit: int = request.app.state.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    spooled: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    pending: list[bytes] = []
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            pending.append(chunk)
            if sum(map(len, pending)) >= WRITE_BATCH:
                await _write(spooled, pending)
        await _write(spooled, pending)
    except ClientDisconnect:
        spooled.close()
        raise ApiProblem(
            400,
            "request.incomplete",
            "The client closed the connection before the whole body arrived; send it again",
        ) from None
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return spooled
