"""Terms-and-conditions PDFs of offers, kept in the database.

A file is taken only when its content is a PDF: it starts with `%PDF-`, and pypdf reads
its page tree with at least one page (a renamed text file, a truncated upload or a
PDF-looking header on other bytes are refused). Files are at most
`MAX_ATTACHMENT_BYTES` (10 MiB). An offer names an attachment by the id this answers.
"""

from __future__ import annotations

import hashlib
import io
import logging
import unicodedata
from datetime import UTC, datetime

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from evsenet.domain.errors import DomainError
from evsenet.domain.ids import OperatorId
from evsenet.domain.network import Actor, AuditRecord
from evsenet.services.offer_views import AttachmentView
from evsenet.services.operators import require_operator
from evsenet.store.engine import Store
from evsenet.store.tables import MAX_ATTACHMENT_BYTES
from evsenet.store.uow import unit_of_work

PDF_MAGIC = b"%PDF-"
FILE_NAME_LIMIT = 255
DEFAULT_FILE_NAME = "attachment.pdf"

logging.getLogger("pypdf").setLevel(logging.ERROR)


def attachment_pk(attachment_id: str) -> int | None:
    """The key of an attachment id as sent (`12`), or None when it names nothing."""
    text = attachment_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text) or None


def clean_file_name(name: str | None) -> str:
    """The file's own name (no folders), printable, at most 255 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    ).strip()
    return text[:FILE_NAME_LIMIT] or DEFAULT_FILE_NAME


def check_pdf(content: bytes) -> None:
    """Raise `DomainError` unless `content` is a readable PDF of at most 10 MiB."""
    if not content:
        raise DomainError("attachment.empty", "The file is empty; upload a PDF", field="file")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise DomainError(
            "attachment.too_large",
            f"The file has {len(content)} bytes; an attachment may have at most "
            f"{MAX_ATTACHMENT_BYTES} bytes (10 MiB)",
            field="file",
        )
    if not content.startswith(PDF_MAGIC):
        raise DomainError(
            "attachment.not_pdf",
            "The file is not a PDF (it does not start with %PDF-); only PDF attachments are taken",
            field="file",
        )
    try:
        pages = len(PdfReader(io.BytesIO(content), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError) as error:  # fmt: skip
        raise DomainError(
            "attachment.pdf_unreadable",
            f"The file starts like a PDF but cannot be read as one ({type(error).__name__}); "
            "upload the PDF again, as a whole",
            field="file",
        ) from None
    if pages < 1:
        raise DomainError(
            "attachment.pdf_unreadable",
            "The PDF has no page; upload the whole document",
            field="file",
        )


def store_attachment(
    store: Store, operator: OperatorId | str, file_name: str, content: bytes, *, actor: Actor
) -> AttachmentView:
    """Keep a terms-and-conditions PDF for the operator's offers."""
    check_pdf(content)
    name = clean_file_name(file_name)
    digest = hashlib.sha256(content).hexdigest()
    caller = operator if isinstance(operator, OperatorId) else OperatorId.parse(operator)
    now = datetime.now(UTC)
    with unit_of_work(store, write=True) as uow:
        operator_pk = require_operator(uow, caller).pk
        row = uow.offers.add_attachment(operator_pk, name, content, digest, now)
        record = AuditRecord(
            "offer.attachment_uploaded", f"attachment {row.pk} {name!r}", None, {"bytes": row.size}
        )
        uow.audit.add(operator_pk, actor, record, now)
    return AttachmentView(row.pk, row.file_name, row.size, row.sha256, row.created_at)
