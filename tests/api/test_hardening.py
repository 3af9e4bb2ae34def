"""Adversarial requests: odd text, huge or mislabelled bodies, repeated parameters and
headers, wrong methods, clients that hang up. None of them may give a 5xx, and every
refusal says what to send instead."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

import evsenet.services.inventory as inventory_service
from evsenet.api import create_app
from evsenet.services.operators import withdraw_sub_operator
from evsenet.store.engine import Store

if TYPE_CHECKING:
    from tests.api.conftest import Api

PUSH = "/api/v1/evses/push"
IMPORT = "/api/v1/evses/import"
OICP = "/api/oicp/evsepush/v23/operators/DE*ABC/data-records"
LONE_SURROGATE = "DE*ABC*E\ud800"
"""JSON may escape half a UTF-16 pair (`\\ud800`); no UTF-8 text can carry it."""


def inventory(api: Api) -> Any:
    response = api.get("/api/v1/evses", include_withdrawn="true", limit=1000)
    assert response.status_code == 200
    return response.json()


def post(api: Api, path: str, body: bytes, content_type: str | None, **params: str) -> Any:
    headers = api.auth(api.A)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return api.client.post(path, content=body, headers=headers, params=params)


# --- text no UTF-8 response can carry --------------------------------------------------


@pytest.mark.parametrize("action", ["insert", "delete"])
def test_a_lone_surrogate_in_an_evse_id_is_refused_per_record(api: Api, action: str) -> None:
    response = api.push([api.record(LONE_SURROGATE), api.record("DE*ABC*E1")], action=action)
    body = api.problem(response, 422, "batch.rejected")
    [error] = body["errors"]
    assert error["index"] == 0
    assert error["evse_id"] == "DE*ABC*E\ufffd", "shown with a replacement character"
    assert inventory(api)["total"] == 0


def test_a_lone_surrogate_skipped_with_skip_invalid_is_reported(api: Api) -> None:
    response = api.push([api.record(LONE_SURROGATE), api.record("DE*ABC*E1")], skip_invalid=True)
    assert response.status_code == 200, response.text
    [rejected] = response.json()["rejected"]
    assert (rejected["index"], rejected["evse_id"]) == (0, "DE*ABC*E\ufffd")
    assert api.evse_ids() == ["DE*ABC*E1"]


def test_a_lone_surrogate_on_the_oicp_path_is_an_inconsistent_evse_id(api: Api) -> None:
    response = api.oicp_push("DE*ABC", api.oicp_body("DE*ABC", [api.record(LONE_SURROGATE)]))
    assert response.status_code == 200, response.text
    ack = response.json()
    assert (ack["Result"], ack["StatusCode"]["Code"]) == (False, "018")
    assert "DE*ABC*E\ufffd" in ack["StatusCode"]["AdditionalInfo"]


@pytest.mark.parametrize("field", ["ChargingStationID", "City", "Plugs"])
def test_a_lone_surrogate_in_a_text_field_is_refused_per_record(api: Api, field: str) -> None:
    record = api.record("DE*ABC*E2")
    if field == "City":
        record["Address"]["City"] = "K\udcf6ln"
    elif field == "Plugs":
        record["Plugs"] = ["Type 2 \udcf6"]
    else:
        record[field] = "K\udcf6ln"
    response = api.push([api.record("DE*ABC*E1"), record])
    body = api.problem(response, 422, "batch.rejected")
    assert [error["index"] for error in body["errors"]] == [1]
    assert api.evse_ids() == []


def test_a_body_that_repeats_a_key_is_refused(api: Api) -> None:
    """One party may read the first ActionType (fullLoad), another the last (insert)."""
    body = (
        b'{"ActionType": "fullLoad", "ActionType": "insert", "OperatorEvseData": '
        b'{"OperatorID": "DE*ABC", "EvseDataRecord": []}}'
    )
    api.problem(post(api, PUSH, body, "application/json"), 400, "oicp.body.malformed")


# --- bodies: size, media type, a client hanging up ------------------------------------


@pytest.fixture
def small_limit(api: Api) -> Iterator[TestClient]:
    """A client of an app that takes bodies of at most 2,000 bytes."""
    with TestClient(create_app(api.store, max_body_bytes=2000)) as client:
        yield client


@pytest.mark.parametrize("path", [PUSH, IMPORT, OICP])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_413_and_writes_nothing(
    api: Api, small_limit: TestClient, path: str, chunked: bool
) -> None:
    records = [api.record(f"DE*ABC*E{n}") for n in range(10)]
    if path == IMPORT:
        body = api.csv_file(*(api.csv_row(f"DE*ABC*E{n}") for n in range(30)))
    else:
        body = api.oicp_body("DE*ABC", records)
    assert len(body) > 2000
    content_type = "text/csv" if path == IMPORT else "application/json"
    headers = {**api.auth(api.A), "Content-Type": content_type}
    content: Any = iter([body[:1000], body[1000:]]) if chunked else body
    response = small_limit.post(path, content=content, headers=headers)
    body_json = api.problem(response, 413, "request.too_large")
    assert "2000 bytes" in body_json["detail"]
    assert inventory(api)["total"] == 0
    fits = api.oicp_body("DE*ABC", records[:1])
    if path == IMPORT:
        fits = api.csv_file(api.csv_row("DE*ABC*E1"))
    assert small_limit.post(path, content=fits, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("path", "content_type", "hint"),
    [
        (PUSH, "text/csv", "application/json"),
        (PUSH, "application/x-www-form-urlencoded", "application/json"),
        (PUSH, "multipart/form-data; boundary=x", "application/json"),
        (IMPORT, "application/json", "/api/v1/evses/push"),
        (IMPORT, "multipart/form-data; boundary=x", "text/csv"),
        (IMPORT, "application/x-www-form-urlencoded", "text/csv"),
        (OICP, "text/xml", "application/json"),
    ],
)
def test_a_body_of_the_wrong_media_type_is_415(
    api: Api, path: str, content_type: str, hint: str
) -> None:
    body = api.oicp_body("DE*ABC", [api.record("DE*ABC*E1")])
    response = post(api, path, body, content_type)
    problem = api.problem(response, 415, "media_type.unsupported")
    assert hint in problem["detail"]
    assert inventory(api)["total"] == 0


def test_a_file_uploaded_as_a_form_is_415_not_a_confusing_header_error(api: Api) -> None:
    files = {"file": ("evses.csv", api.csv_file(api.csv_row("DE*ABC*E1")), "text/csv")}
    response = api.client.post(IMPORT, files=files, headers=api.auth(api.A))
    problem = api.problem(response, 415, "media_type.unsupported")
    assert "--data-binary" in problem["detail"]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (PUSH, None),
        (PUSH, "application/json; charset=utf-8"),
        (PUSH, "application/vnd.hubject+json"),
        (OICP, "application/json;charset=UTF-8"),
        (IMPORT, None),
        (IMPORT, "text/csv; charset=utf-8"),
        (IMPORT, "text/plain"),
        (IMPORT, "application/octet-stream"),
        (IMPORT, "application/vnd.ms-excel"),
    ],
)
def test_the_media_types_clients_send_are_accepted(
    api: Api, path: str, content_type: str | None
) -> None:
    if path == IMPORT:
        body = api.csv_file(api.csv_row("DE*ABC*E1"))
    else:
        body = api.oicp_body("DE*ABC", [api.record("DE*ABC*E1")])
    response = post(api, path, body, content_type)
    assert response.status_code == 200, response.text
    assert api.evse_ids() == ["DE*ABC*E1"]


def test_a_client_that_hangs_up_mid_body_is_no_server_error(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """A disconnect while the body is read is the client's doing, not a bug to log."""
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": b'{"ActionType": "ins', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    token = api.tokens[api.A].encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PUSH,
        "raw_path": PUSH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", b"Bearer " + token),
            (b"content-type", b"application/json"),
        ],
        "client": ("testclient", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    with caplog.at_level(logging.ERROR, logger="evsenet.api"):
        asyncio.run(api.client.app(scope, receive, send))  # type: ignore[arg-type]
    [start] = [message for message in sent if message["type"] == "http.response.start"]
    assert start["status"] == 400
    assert not caplog.records
    assert inventory(api)["total"] == 0


# --- repeated query parameters and headers --------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=1&limit=1000", "query.limit"),
        ("city=Berlin&city=K%C3%B6ln", "query.city"),
        ("q=E1&include_withdrawn=true&include_withdrawn=false", "query.include_withdrawn"),
    ],
)
def test_a_repeated_query_parameter_is_refused_not_silently_dropped(
    api: Api, query: str, field: str
) -> None:
    response = api.client.get(f"/api/v1/evses?{query}", headers=api.auth(api.A))
    body = api.problem(response, 422, "request.invalid")
    assert [error["field"] for error in body["errors"]] == [field]
    assert "once" in body["errors"][0]["message"]


def test_a_repeated_query_parameter_on_a_write_writes_nothing(api: Api) -> None:
    data = api.csv_file(api.csv_row("DE*ABC*E1"))
    headers = {**api.auth(api.A), "Content-Type": "text/csv"}
    response = api.client.post(
        f"{IMPORT}?action=upsert&action=fullLoad", content=data, headers=headers
    )
    api.problem(response, 422, "request.invalid")
    assert inventory(api)["total"] == 0


@pytest.mark.parametrize("order", ["A first", "B first"])
def test_two_authorization_headers_are_refused(api: Api, order: str) -> None:
    tokens = [api.tokens[api.A], api.tokens[api.B]]
    if order == "B first":
        tokens.reverse()
    headers = [("Authorization", f"Bearer {token}") for token in tokens]
    response = api.client.get("/api/v1/operator", headers=headers)
    body = api.problem(response, 401, "auth.invalid")
    assert "one Authorization header" in body["detail"]


# --- methods ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PUSH, IMPORT])
def test_a_wrong_method_on_a_write_path_names_post(api: Api, path: str) -> None:
    response = api.client.put(path, headers=api.auth(api.A))
    body = api.problem(response, 405, "method.not_allowed")
    assert response.headers["Allow"] == "POST"
    assert body["detail"].endswith("use POST")


# --- a push refused because the hub's prefixes changed meanwhile ----------------------


@pytest.fixture
def prefixes_change_midway(api: Api, monkeypatch: pytest.MonkeyPatch) -> Api:
    """The first batch validated is overtaken by A withdrawing its prefix DE*XYZ."""
    validate = inventory_service.validate_batch  # type: ignore[attr-defined]

    def overtaken(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(inventory_service, "validate_batch", validate)
        withdraw_sub_operator(api.store, api.A, "DE*XYZ")
        return validate(*args, **kwargs)

    monkeypatch.setattr(inventory_service, "validate_batch", overtaken)
    return api


def test_a_push_overtaken_by_a_prefix_change_is_409_and_writes_nothing(
    prefixes_change_midway: Api,
) -> None:
    api = prefixes_change_midway
    response = api.push([api.record("DE*XYZ*E1"), api.record("DE*ABC*E1")])
    body = api.problem(response, 409, "batch.sub_operators_changed")
    assert "again" in body["detail"]
    assert inventory(api)["total"] == 0


def test_an_oicp_push_overtaken_by_a_prefix_change_is_409_and_says_retry(
    prefixes_change_midway: Api,
) -> None:
    api = prefixes_change_midway
    response = api.oicp_push("DE*ABC", api.oicp_body("DE*ABC", [api.record("DE*ABC*E1")]))
    assert response.status_code == 409, response.text
    ack = response.json()
    assert ack["Result"] is False
    assert ack["StatusCode"]["Code"] == "009"
    assert "batch.sub_operators_changed" in ack["StatusCode"]["AdditionalInfo"]
    assert inventory(api)["total"] == 0


def test_every_refusal_of_a_write_path_is_declared_in_the_openapi_document(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    for path in (PUSH, IMPORT, "/api/oicp/evsepush/v23/operators/{operator_id}/data-records"):
        declared = set(paths[path]["post"]["responses"])
        assert {"200", "400", "401", "409", "413", "415"} <= declared, path


def test_the_body_limit_comes_from_the_environment(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVSENET_MAX_BODY_MIB", "3")
    assert create_app(store).state.max_body_bytes == 3 * 1024 * 1024
    monkeypatch.delenv("EVSENET_MAX_BODY_MIB")
    assert create_app(store).state.max_body_bytes == 256 * 1024 * 1024
    assert create_app(store, max_body_bytes=10).state.max_body_bytes == 10
