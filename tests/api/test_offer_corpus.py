# ruff: noqa: E501
"""Bad offer input through the HTTP paths, data-driven, on SQLite and PostgreSQL: every
case is refused with its code (and JSON path, where there is one) and writes nothing.

Hubject's refused example bodies (tests/fixtures/hubject/refused/, each with the code and
path `tests/unit/formats/test_hubject_offer.py` expects) go through the Hubject paths;
the other cases through `/api/v1/offers` and the attachment upload. The CLI's own cases
are in tests/cli/test_offers_cli.py.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from httpx2 import Response
from pypdf import PdfWriter

from evsenet.store.tables import MAX_ATTACHMENT_BYTES
from tests.api.offer_api import OFFERS, fixture_bytes, hubject_path, prepare, send
from tests.integration.offer_fixtures import Net
from tests.integration.snapshots import dump
from tests.unit.formats.test_hubject_offer import REFUSED

if TYPE_CHECKING:
    from tests.api.conftest import Api

UNLIMITED = "create_unlimited_offer_to_all.json"
LIMITED = "create_limited_bilateral.json"


def codes_and_fields(response: Response) -> set[tuple[str, str | None]]:
    body = response.json()
    found: set[tuple[str, str | None]] = {(body["code"], None)}
    for error in body.get("errors", []):
        found.add((error["code"], error.get("field")))
        found.add((error["code"], None))
    return found


@pytest.mark.parametrize(
    ("name", "code", "path"),
    [pytest.param(*case, id=case[0]) for case in REFUSED if case[0].startswith("create_")],
)
def test_a_refused_hubject_body_is_refused_on_the_create_path(
    api: Api, name: str, code: str, path: str | None
) -> None:
    net = prepare(api)
    before = dump(api.store)
    response = send(
        api,
        "POST",
        hubject_path(api),
        fixture_bytes(f"refused/{name}.json", net),
        acknowledgeZeroPriced=3,
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.status_code != 404, response.text
    assert (code, path) in codes_and_fields(response), response.text
    assert dump(api.store) == before


@pytest.mark.parametrize(
    ("name", "code", "path"),
    [pytest.param(*case, id=case[0]) for case in REFUSED if case[0].startswith("update_")],
)
def test_a_refused_price_update_is_refused_on_the_update_path(
    api: Api, name: str, code: str, path: str | None
) -> None:
    net = prepare(api)
    created = send(api, "POST", hubject_path(api), fixture_bytes(UNLIMITED, net),
                   acknowledgeZeroPriced=3)  # fmt: skip
    assert created.status_code == 201, created.text
    before = dump(api.store)
    path_ = f"{hubject_path(api)}/{created.json()['id']}"
    response = send(api, "PUT", path_, fixture_bytes(f"refused/{name}.json", net))
    assert 400 <= response.status_code < 500, response.text
    assert (code, path) in codes_and_fields(response), response.text
    assert dump(api.store) == before


# --- cases of evsenet's own paths and of the state ------------------------------------


@dataclass(frozen=True)
class World:
    api: Api
    net: Net
    draft: int
    published: int
    limited: int


def world(api: Api) -> World:
    """A's draft offer-to-all, a published offer-to-all and a published bilateral limited
    offer on network Berlin."""
    net = prepare(api)
    draft = send(api, "POST", OFFERS, fixture_bytes(UNLIMITED, net)).json()["id"]
    published = send(api, "POST", hubject_path(api), fixture_bytes(UNLIMITED, net),
                     acknowledgeZeroPriced=3).json()["id"]  # fmt: skip
    limited = send(api, "POST", hubject_path(api), fixture_bytes(LIMITED, net),
                   acknowledgeZeroPriced=3).json()["id"]  # fmt: skip
    return World(api, net, draft, int(published), int(limited))


def _body(w: World, **changes: Any) -> bytes:
    data = json.loads(fixture_bytes(UNLIMITED, w.net))
    data.update(changes)
    return json.dumps(data).encode()


def _update(w: World, **changes: Any) -> bytes:
    data = json.loads(fixture_bytes("update_prices.json", w.net))
    data.update(changes)
    return json.dumps(data).encode()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _upload(w: World, content: bytes, kind: str = "pdf", name: str = "terms.pdf") -> Response:
    response: Response = w.api.client.post(
        f"{hubject_path(w.api)}/attachments",
        files={"file": (name, content, "application/pdf")},
        data={"attachmentType": kind},
        headers=w.api.auth(w.api.A),
    )
    return response


Call = Callable[[World], Response]
CASES: list[tuple[str, Call, int, str]] = [
    ("draft-with-past-start", lambda w: send(w.api, "POST", OFFERS, _body(w, validFrom="2026-01-01T00:00:00Z")), 400, "offer.valid_from_past"),
    ("draft-absurd-year", lambda w: send(w.api, "POST", OFFERS, _body(w, validFrom="9999-01-01T00:00:00Z")), 400, "offer.valid_from_too_far"),
    ("draft-not-json", lambda w: send(w.api, "POST", OFFERS, b"{not json"), 400, "json.body.malformed"),
    ("draft-as-csv", lambda w: w.api.client.post(OFFERS, content=b"a,b", headers={**w.api.auth(w.api.A), "Content-Type": "text/csv"}), 415, "media_type.unsupported"),
    ("draft-on-another-operators-network", lambda w: send(w.api, "POST", OFFERS, _body(w), as_=w.api.B), 404, "network.not_found"),
    ("draft-on-a-network-that-is-no-number", lambda w: send(w.api, "POST", OFFERS, _body(w, networkId="net-berlin")), 404, "network.not_found"),
    ("draft-naming-an-unknown-attachment", lambda w: send(w.api, "POST", OFFERS, _body(w, uploadedAttachmentId="77")), 400, "offer.attachment_unknown"),
    ("put-a-published-offer", lambda w: send(w.api, "PUT", f"{OFFERS}/{w.published}", _body(w)), 409, "offer.published_immutable"),
    ("patch-a-published-offer", lambda w: send(w.api, "PATCH", f"{OFFERS}/{w.published}", b'{"partnerInternalId": "x"}'), 409, "offer.published_immutable"),
    ("delete-a-published-offer", lambda w: send(w.api, "DELETE", f"{OFFERS}/{w.published}"), 409, "offer.published_immutable"),
    ("publish-a-published-offer", lambda w: send(w.api, "POST", f"{OFFERS}/{w.published}/publish", b'{"acknowledge_zero_priced": 3}'), 409, "offer.published_immutable"),
    ("patch-with-a-bad-member", lambda w: send(w.api, "PATCH", f"{OFFERS}/{w.draft}", b'{"leadTime": 3}'), 400, "offer.lead_time_out_of_range"),
    ("patch-with-an-unknown-member", lambda w: send(w.api, "PATCH", f"{OFFERS}/{w.draft}", b'{"leadTme": 30}'), 400, "json.field.unknown"),
    ("second-offer-to-all-in-force", lambda w: send(w.api, "POST", f"{OFFERS}/{w.draft}/publish", b'{"acknowledge_zero_priced": 3}'), 400, "offer.offer_to_all_overlap"),
    ("second-offer-to-all-on-hubjects-path", lambda w: send(w.api, "POST", hubject_path(w.api), _body(w, validFrom="2031-01-01T00:00:00Z"), acknowledgeZeroPriced=3), 400, "offer.offer_to_all_overlap"),
    ("publish-with-a-negative-count", lambda w: send(w.api, "POST", f"{OFFERS}/{w.draft}/publish", b'{"acknowledge_zero_priced": -1}'), 422, "request.invalid"),
    ("publish-with-an-unknown-member", lambda w: send(w.api, "POST", f"{OFFERS}/{w.draft}/publish", b'{"acknowledge": 3}'), 422, "request.invalid"),
    ("hubject-count-not-a-number", lambda w: send(w.api, "POST", hubject_path(w.api), _body(w), acknowledgeZeroPriced="three"), 422, "request.invalid"),
    ("version-of-a-limited-offer", lambda w: send(w.api, "POST", f"{OFFERS}/{w.limited}/versions", _update(w)), 400, "offer.version_limited"),
    ("version-inside-the-lead-time", lambda w: send(w.api, "POST", f"{OFFERS}/{w.published}/versions", _update(w, updateDate="2027-01-05T00:00:00Z")), 400, "offer.version_inside_lead_time"),
    ("version-in-the-past", lambda w: send(w.api, "POST", f"{OFFERS}/{w.published}/versions", _update(w, updateDate="2020-01-05T00:00:00Z")), 400, "offer.version_inside_lead_time"),
    ("version-on-another-network", lambda w: send(w.api, "POST", f"{OFFERS}/{w.published}/versions", _update(w, networkId="424242")), 400, "offer.version_network_mismatch"),
    ("version-of-a-draft", lambda w: send(w.api, "POST", f"{OFFERS}/{w.draft}/versions", _update(w)), 409, "offer.version_of_draft"),
    ("version-with-an-unknown-group", lambda w: send(w.api, "POST", f"{OFFERS}/{w.published}/versions", _update(w, pricingDetails=[*json.loads(_update(w))["pricingDetails"], {**json.loads(_update(w))["pricingDetails"][0], "groupId": "9999"}])), 400, "offer.not_publishable"),
    ("hubject-version-of-another-operators-offer", lambda w: send(w.api, "PUT", f"{hubject_path(w.api, w.api.B)}/{w.published}", _update(w), as_=w.api.B), 404, "offer.not_found"),
    ("attachment-not-a-pdf", lambda w: _upload(w, b"Terms and conditions in plain text"), 400, "attachment.not_pdf"),
    ("attachment-html-named-pdf", lambda w: _upload(w, b"<html><body>terms</body></html>", name="terms.pdf"), 400, "attachment.not_pdf"),
    ("attachment-empty", lambda w: _upload(w, b""), 400, "attachment.empty"),
    ("attachment-too-large", lambda w: _upload(w, b"%PDF-1.7\n" + b"0" * MAX_ATTACHMENT_BYTES), 400, "attachment.too_large"),
    ("attachment-pdf-header-only", lambda w: _upload(w, b"%PDF-1.7\n%%EOF\n"), 400, "attachment.pdf_unreadable"),
    ("attachment-truncated-pdf", lambda w: _upload(w, _pdf()[:60]), 400, "attachment.pdf_unreadable"),
    ("attachment-type-docx", lambda w: _upload(w, _pdf(), kind="docx"), 400, "attachment.type_unsupported"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "status", "code"), [pytest.param(c, s, k, id=name) for name, c, s, k in CASES]
)
def test_a_bad_offer_request_is_refused_and_writes_nothing(
    api: Api, call: Call, status: int, code: str
) -> None:
    w = world(api)
    before = dump(api.store)
    response = call(w)
    assert response.status_code == status, response.text
    assert code in {c for c, _ in codes_and_fields(response)}, response.text
    assert dump(api.store) == before
