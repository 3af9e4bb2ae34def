"""The web UI's edge over HTTP: cookies, CSRF, redirects, refusals as pages, tenancy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from evsenet.api import create_app
from evsenet.domain.network import Actor
from evsenet.services.networks import create_network, list_networks
from evsenet.services.operators import register_operator
from evsenet.services.users import add_user
from evsenet.store.engine import Store

PASSWORD = "correct horse battery"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(sqlite_store: Store) -> Iterator[TestClient]:
    add_user(sqlite_store, "DE*ABC", "ops@abc.example", PASSWORD)
    with TestClient(create_app(sqlite_store), follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, email: str = "ops@abc.example") -> str:
    """Sign in through the form; the session's CSRF token."""
    form = client.get("/sign-in")
    token = CSRF_FIELD.search(form.text)
    assert token is not None
    answer = client.post(
        "/sign-in", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD}
    )
    assert answer.status_code == 303
    page = client.get("/networks")
    found = CSRF_FIELD.search(page.text)
    assert found is not None
    return found.group(1)


def test_the_session_cookie_is_http_only_and_same_site_lax(client: TestClient) -> None:
    form = client.get("/sign-in")
    token = CSRF_FIELD.search(form.text)
    assert token is not None
    answer = client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "email": "ops@abc.example", "password": PASSWORD},
    )
    cookie = next(
        value
        for name, value in answer.headers.multi_items()
        if name == "set-cookie" and value.startswith("evsenet_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # served over plain http here


def test_the_session_cookie_is_secure_over_https(sqlite_store: Store) -> None:
    add_user(sqlite_store, "DE*ABC", "ops@abc.example", PASSWORD)
    with TestClient(create_app(sqlite_store), base_url="https://testserver") as client:
        form = client.get("/sign-in")
        assert "Secure" in form.headers["set-cookie"]


def test_signing_in_without_the_form_token_is_refused(client: TestClient) -> None:
    answer = client.post("/sign-in", data={"email": "ops@abc.example", "password": PASSWORD})
    assert answer.status_code == 403
    assert "security token" in answer.text
    assert "evsenet_session" not in answer.headers.get("set-cookie", "")


def test_a_change_without_the_session_csrf_token_is_refused_and_writes_nothing(
    client: TestClient, sqlite_store: Store
) -> None:
    token = sign_in(client)
    for headers, data in (
        ({}, {"name": "Forged"}),
        ({"X-CSRF-Token": "not-the-token"}, {"name": "Forged"}),
        ({}, {"name": "Forged", "csrf_token": "not-the-token"}),
    ):
        answer = client.post("/networks", data=data, headers=headers)
        assert answer.status_code == 403
        assert "web.csrf_invalid" in answer.text
    assert list_networks(sqlite_store, "DE*ABC") == []
    answer = client.post("/networks", data={"name": "Real", "csrf_token": token})
    assert answer.status_code == 303
    assert [n.name for n in list_networks(sqlite_store, "DE*ABC")] == ["Real"]


def test_pages_without_a_session_lead_to_sign_in(client: TestClient) -> None:
    answer = client.get("/networks/1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/networks/1"
    htmx = client.get("/networks/1/workspace", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].startswith("/sign-in")


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("https://evil.example/", id="absolute-url"),
        pytest.param("//evil.example/", id="protocol-relative"),
        pytest.param("/\\evil.example", id="backslash"),
    ],
)
def test_sign_in_never_sends_the_browser_to_another_site(client: TestClient, target: str) -> None:
    form = client.get("/sign-in")
    token = CSRF_FIELD.search(form.text)
    assert token is not None
    answer = client.post(
        "/sign-in",
        data={
            "csrf_token": token.group(1),
            "email": "ops@abc.example",
            "password": PASSWORD,
            "next": target,
        },
    )
    assert answer.headers["location"] == "/"
    assert client.get("/").headers["location"] == "/networks"


def test_signing_out_ends_the_session(client: TestClient) -> None:
    token = sign_in(client)
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 303
    assert client.get("/networks").status_code == 303


def test_another_operators_network_is_a_404_page(client: TestClient, sqlite_store: Store) -> None:
    register_operator(sqlite_store, "DE*OTH")
    theirs = create_network(sqlite_store, "DE*OTH", "Theirs", actor=Actor.system())
    token = sign_in(client)
    for path in (f"/networks/{theirs.id}", f"/networks/{theirs.id}/evses/assigned"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert "Theirs" not in answer.text
        assert "<html" in answer.text
    answer = client.post(
        f"/networks/{theirs.id}/groups",
        data={"name": "Mine now"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert answer.status_code == 404
    assert answer.text.lstrip().startswith('<div class="problem"')


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/networks/abc", 404, id="not-a-number"),
        pytest.param("/networks/0", 404, id="zero"),
        pytest.param("/networks/99999999999999999999", 404, id="beyond-any-key"),
        pytest.param("/evses?min_output_kw=abc", 400, id="bad-filter"),
        pytest.param("/evses?page=0", 422, id="bad-page"),
    ],
)
def test_refusals_are_pages_with_a_message_never_a_trace(
    client: TestClient, path: str, status: int
) -> None:
    sign_in(client)
    answer = client.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert 'class="problem"' in answer.text
    assert "Traceback" not in answer.text


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/no-such-page"])
def test_paths_the_ui_does_not_have_stay_the_apis(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert client.delete("/health").status_code == 405


def test_assets_are_served_locally(client: TestClient) -> None:
    for asset in ("htmx.min.js", "app.js", "app.css", "htmx.LICENSE"):
        assert client.get(f"/static/{asset}").status_code == 200
    page = client.get("/sign-in").text
    assert "http://" not in page
    assert "https://" not in page
