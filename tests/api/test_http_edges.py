"""The HTTP edge (issue 11): trailing slashes, HEAD, compressed and non-UTF-8 bodies,
unknown query parameters, offline docs, and the gate on concurrent writes."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import zlib
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from evsenet.api import create_app
from evsenet.api.writes import WriteGate
from evsenet.domain.errors import DomainError

if TYPE_CHECKING:
    from tests.api.conftest import Api

PUSH = "/api/v1/evses/push"
IMPORT = "/api/v1/evses/import"
OICP = "/api/oicp/evsepush/v23/operators/DE*ABC/data-records"


def post(api: Api, path: str, body: bytes, **headers: str) -> Any:
    return api.client.post(path, content=body, headers={**api.auth(api.A), **headers})


# --- trailing slashes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/evses/", "/health/", "/api/v1/operator/", "/api/v1/evses/push/"]
)
def test_a_path_with_a_trailing_slash_is_not_found_and_never_redirected(
    api: Api, path: str
) -> None:
    response = api.client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    api.problem(response, 404, "route.not_found")
    assert "location" not in response.headers


# --- HEAD ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/health", "/api/v1/evses", "/api/v1/operator", "/docs"])
def test_head_on_a_get_path_answers_like_get_without_a_body(api: Api, path: str) -> None:
    got = api.client.get(path, headers=api.auth(api.A))
    head = api.client.head(path, headers=api.auth(api.A))
    assert (head.status_code, got.status_code) == (200, 200)
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]


def test_head_needs_the_token_that_get_needs(api: Api) -> None:
    response = api.client.head("/api/v1/evses")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.content == b""


def test_head_on_a_post_only_path_answers_what_get_answers(api: Api) -> None:
    got = api.client.get(OICP, headers=api.auth(api.A))
    api.problem(got, 405, "method.not_allowed")
    assert "does not accept GET" in got.json()["detail"]
    head = api.client.head(OICP, headers=api.auth(api.A))
    assert (head.status_code, head.content) == (405, b"")


# --- Content-Encoding ---------------------------------------------------------------


def test_a_gzip_push_is_read_decompressed(api: Api) -> None:
    body = gzip.compress(api.oicp_body(api.A, [api.record("DE*ABC*E1")]))
    response = post(
        api, PUSH, body, **{"Content-Type": "application/json", "Content-Encoding": "gzip"}
    )
    assert response.status_code == 200, response.text
    assert api.evse_ids() == ["DE*ABC*E1"]


def test_a_gzip_import_on_the_oicp_path_and_the_file_path_is_read(api: Api) -> None:
    csv = gzip.compress(api.csv_file(api.csv_row("DE*ABC*E2")))
    response = post(api, IMPORT, csv, **{"Content-Type": "text/csv", "Content-Encoding": "gzip"})
    assert response.status_code == 200, response.text
    oicp = gzip.compress(api.oicp_body(api.A, [api.record("DE*ABC*E3")]))
    response = post(
        api, OICP, oicp, **{"Content-Type": "application/json", "Content-Encoding": "x-gzip"}
    )
    assert response.json()["Result"] is True, response.text
    assert api.evse_ids() == ["DE*ABC*E2", "DE*ABC*E3"]


def test_a_gzip_bomb_is_refused_at_the_body_limit_counted_decompressed(api: Api) -> None:
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    with TestClient(create_app(api.store, max_body_bytes=1024 * 1024)) as client:
        response = client.post(
            PUSH,
            content=bomb,
            headers={
                **api.auth(api.A),
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
            },
        )
    body = api.problem(response, 413, "request.too_large")
    assert "1048576 bytes" in body["detail"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not gzip at all", id="not-gzip"),
        pytest.param(b"", id="truncated-to-nothing"),
        pytest.param("cut", id="truncated"),
    ],
)
def test_a_broken_gzip_body_is_refused_with_its_own_code(api: Api, body: bytes | str) -> None:
    data = api.oicp_body(api.A, [api.record("DE*ABC*E1")])
    sent = gzip.compress(data)[:-12] if body == "cut" else body
    assert isinstance(sent, bytes)
    if not sent:
        sent = gzip.compress(data)[:5]
    response = post(
        api, PUSH, sent, **{"Content-Type": "application/json", "Content-Encoding": "gzip"}
    )
    api.problem(response, 400, "request.encoding_malformed")
    assert api.evse_ids() == []


@pytest.mark.parametrize("coding", ["br", "deflate", "compress", "gzip, br", "zstd"])
def test_a_content_coding_other_than_gzip_is_refused_with_415(api: Api, coding: str) -> None:
    body = api.oicp_body(api.A, [api.record("DE*ABC*E1")])
    response = post(
        api, PUSH, body, **{"Content-Type": "application/json", "Content-Encoding": coding}
    )
    problem = api.problem(response, 415, "content_encoding.unsupported")
    assert "gzip" in problem["detail"]
    assert response.headers["accept-encoding"] == "gzip, identity"


def test_identity_coding_is_no_coding(api: Api) -> None:
    body = api.oicp_body(api.A, [api.record("DE*ABC*E1")])
    response = post(
        api, PUSH, body, **{"Content-Type": "application/json", "Content-Encoding": "identity"}
    )
    assert response.status_code == 200, response.text


def test_a_gzip_stream_reads_back_exactly_in_slices() -> None:
    """Slicing the inflation never loses or repeats a byte (every chunk size)."""
    from evsenet.api.edges import SLICE, _GunzipReceive

    payload = bytes(range(256)) * 2000 + b"x" * (3 * SLICE)
    compressed = gzip.compress(payload)

    async def run(chunk: int) -> bytes:
        parts = [compressed[i : i + chunk] for i in range(0, len(compressed), chunk)]

        async def receive() -> dict[str, Any]:
            body = parts.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(parts)}

        gunzip = _GunzipReceive(receive)
        out = b""
        while True:
            message = await gunzip()
            assert len(message["body"]) <= SLICE
            out += message["body"]
            if not message["more_body"]:
                return bytes(out)

    for chunk in (1000, 65_536, len(compressed)):
        assert asyncio.run(run(chunk)) == payload
    assert zlib.crc32(payload)


# --- UTF-8 only -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_a_json_body_in_utf16_or_utf32_is_refused_saying_utf8(api: Api, encoding: str) -> None:
    text = api.oicp_body(api.A, [api.record("DE*ABC*E1")]).decode()
    response = post(api, PUSH, text.encode(encoding), **{"Content-Type": "application/json"})
    body = api.problem(response, 400, "oicp.body.encoding")
    assert "UTF-8" in body["detail"]
    assert "RFC 8259" in body["detail"]
    assert api.evse_ids() == []


def test_a_utf8_json_body_with_a_byte_order_mark_is_read(api: Api) -> None:
    body = b"\xef\xbb\xbf" + api.oicp_body(api.A, [api.record("DE*ABC*E1")])
    response = post(api, PUSH, body, **{"Content-Type": "application/json"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        pytest.param(PUSH, "application/json; charset=utf-16", id="push-utf16"),
        pytest.param(PUSH, 'application/json; charset="ISO-8859-1"', id="push-latin1-quoted"),
        pytest.param(OICP, "application/json;charset=windows-1252", id="oicp-cp1252"),
        pytest.param(IMPORT, "text/csv; charset=latin-1", id="import-latin1"),
    ],
)
def test_a_declared_charset_other_than_utf8_is_refused(
    api: Api, path: str, content_type: str
) -> None:
    body = api.oicp_body(api.A, [api.record("DE*ABC*E1")])
    response = post(api, path, body, **{"Content-Type": content_type})
    problem = api.problem(response, 415, "media_type.unsupported")
    assert "UTF-8" in problem["detail"]


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"', "utf8"])
def test_a_declared_utf8_charset_is_accepted(api: Api, charset: str) -> None:
    body = api.oicp_body(api.A, [api.record("DE*ABC*E1")])
    response = post(api, PUSH, body, **{"Content-Type": f"application/json; charset={charset}"})
    assert response.status_code == 200, response.text


def test_the_reader_itself_refuses_utf16_json() -> None:
    from evsenet.formats.oicp import read_oicp_push_bytes

    with pytest.raises(DomainError) as raised:
        read_oicp_push_bytes(json.dumps({"ActionType": "insert"}).encode("utf-16"))
    assert raised.value.code == "oicp.body.encoding"


# --- unknown query parameters ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "params", "named"),
    [
        pytest.param("GET", "/api/v1/evses", {"LIMIT": "5"}, ["LIMIT"], id="case-differs"),
        pytest.param("GET", "/api/v1/evses", {"operator": "NL*EVN"}, ["operator"], id="operator"),
        pytest.param(
            "GET", "/api/v1/evses/DE*ABC*E1", {"x": "1", "y": "2"}, ["x", "y"], id="read-two"
        ),
        pytest.param("GET", "/api/v1/operator", {"verbose": "1"}, ["verbose"], id="operator"),
        pytest.param("GET", "/health", {"deep": "1"}, ["deep"], id="health"),
        pytest.param("POST", PUSH, {"skipinvalid": "true"}, ["skipinvalid"], id="push"),
        pytest.param("POST", IMPORT, {"fmt": "csv"}, ["fmt"], id="import"),
        pytest.param("POST", OICP, {"action": "insert"}, ["action"], id="oicp"),
    ],
)
def test_an_unknown_query_parameter_is_refused_naming_it(
    api: Api, method: str, path: str, params: dict[str, str], named: list[str]
) -> None:
    body = api.oicp_body(api.A, [api.record("DE*ABC*E1")]) if method == "POST" else None
    response = api.client.request(
        method,
        path,
        params=params,
        content=body,
        headers={**api.auth(api.A), "Content-Type": "application/json"},
    )
    problem = api.problem(response, 400, "request.unknown_parameter")
    for name in named:
        assert repr(name) in problem["detail"]
    assert api.evse_ids() == []


def test_the_refusal_lists_the_parameters_the_route_takes(api: Api) -> None:
    problem = api.problem(api.get("/api/v1/evses", LIMIT="5"), 400, "request.unknown_parameter")
    takes = re.search(r"takes (.*) \(", problem["detail"])
    assert takes is not None
    assert {"limit", "offset", "q", "country", "include_withdrawn"} <= set(
        takes.group(1).split(", ")
    )


def test_a_declared_alias_is_a_known_parameter(api: Api) -> None:
    response = api.import_file(api.csv_file(api.csv_row("DE*ABC*E1")), format="csv")
    assert response.status_code == 200, response.text


def test_a_huge_list_of_unknown_parameters_gives_a_bounded_detail(api: Api) -> None:
    params = {f"p{number}" + "x" * 150: "1" for number in range(100)}
    problem = api.problem(api.get("/api/v1/evses", **params), 400, "request.unknown_parameter")
    assert len(problem["detail"]) < 3000
    assert "80 more" in problem["detail"]


# --- /docs offline --------------------------------------------------------------------


def test_the_docs_page_loads_every_asset_from_this_server(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert sources, page.text
    assert all(source.startswith("/") and not source.startswith("//") for source in sources)
    assert "cdn" not in page.text.lower()
    for source in sources:
        asset = api.client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 100


def test_the_swagger_script_is_swagger_ui_5_which_reads_openapi_3_1(api: Api) -> None:
    script = api.client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text
    assert api.client.get("/openapi.json").json()["openapi"].startswith("3.1")


# --- the gate on concurrent writes ----------------------------------------------------


def test_a_write_that_finds_every_slot_taken_is_answered_503_with_retry_after(api: Api) -> None:
    app = create_app(api.store, max_concurrent_writes=1)
    gate: WriteGate = app.state.writes
    gate.wait_seconds = 0.1
    assert gate._try_enter()
    try:
        with TestClient(app) as client:
            response = client.post(
                PUSH,
                content=api.oicp_body(api.A, [api.record("DE*ABC*E1")]),
                headers={**api.auth(api.A), "Content-Type": "application/json"},
            )
    finally:
        gate._leave()
    problem = api.problem(response, 503, "write.busy")
    assert response.headers["retry-after"] == "1"
    assert "1 pushes or imports" in problem["detail"]
    assert api.evse_ids() == []


def test_a_write_waits_for_a_slot_that_frees_up() -> None:
    gate = WriteGate(1, wait_seconds=5)
    order: list[str] = []

    async def write(name: str, hold: float) -> None:
        async with gate.admitted():
            order.append(f"{name} in")
            assert gate.running == 1
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    async def both() -> None:
        await asyncio.gather(write("first", 0.2), write("second", 0))

    asyncio.run(both())
    assert order == ["first in", "first out", "second in", "second out"]
    assert gate.running == 0


def test_a_slot_is_given_back_when_the_write_fails() -> None:
    gate = WriteGate(1, wait_seconds=0)

    async def failing() -> None:
        async with gate.admitted():
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        asyncio.run(failing())
    assert gate.running == 0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EVSENET_MAX_CONCURRENT_WRITES", "0"),
        ("EVSENET_MAX_CONCURRENT_WRITES", "two"),
        ("EVSENET_MAX_CONCURRENT_WRITES", "65"),
        ("EVSENET_HEADER_TIMEOUT_S", "-1"),
        ("EVSENET_HEADER_TIMEOUT_S", "1.5"),
        ("EVSENET_BODY_TIMEOUT_S", "0"),
        ("EVSENET_MAX_CONNECTIONS", "many"),
    ],
)
def test_a_bad_edge_setting_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    from evsenet import config

    monkeypatch.setenv(variable, value)
    readers = {
        "EVSENET_MAX_CONCURRENT_WRITES": config.max_concurrent_writes,
        "EVSENET_HEADER_TIMEOUT_S": config.header_timeout_seconds,
        "EVSENET_BODY_TIMEOUT_S": config.body_timeout_seconds,
        "EVSENET_MAX_CONNECTIONS": config.max_connections,
    }
    with pytest.raises(DomainError) as raised:
        readers[variable]()
    assert raised.value.code == "config.invalid"
    assert variable in raised.value.message


def test_the_connection_cap_fits_in_the_open_file_limit() -> None:
    import resource

    from evsenet.api.server import RESERVED_DESCRIPTORS, raise_descriptor_limit

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        fitting = raise_descriptor_limit(10**9)
        now, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        assert fitting == now - RESERVED_DESCRIPTORS
        assert raise_descriptor_limit(10) == 10
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
