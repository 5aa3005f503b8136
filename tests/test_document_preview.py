"""Document preview (issue 9, part 4): a PDF or image opens in the browser for the staff who may download
it, through the same permission-checked view, inline, in a sandbox without scripts, typed by its
content; anything else is downloaded."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from tests.factories import DocumentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 30, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def permitted(client):
    client.force_login(StaffUserFactory(permissions=["partners.download_document"]))
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_pdf_opens_inline_in_a_sandbox(permitted):
    document = DocumentFactory(original_filename="NPWP PT Kabar/../../etc.pdf")

    response = permitted.get(document.get_preview_url())

    assert response.status_code == 200
    assert body_of(response) == document.file.open("rb").read()
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;") and ".." not in disposition and "/" not in disposition
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy  # no allow-scripts, no allow-same-origin: a bare sandbox
    assert "default-src 'none'" in policy and not any("script" in part for part in policy)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("content, content_type", [(png_bytes, "image/png"), (jpeg_bytes, "image/jpeg")])
def test_an_image_opens_inline_typed_by_its_content_not_its_name(permitted, content, content_type):
    # Named and stored as a PDF, but an image: the browser is told what the bytes are.
    document = DocumentFactory(file=ContentFile(content(), name="scan.pdf"), original_filename="scan.pdf",
                               content_type="application/pdf")

    response = permitted.get(document.get_preview_url())

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_other_content_is_downloaded_not_shown(permitted):
    # An HTML file stored under a document's name (not possible through the upload check, but a file in
    # storage is not trusted for that): never shown in the browser.
    document = DocumentFactory(file=ContentFile(b"<html><script>alert(1)</script></html>", name="x.pdf"),
                               original_filename="laporan.pdf", content_type="application/pdf")

    response = permitted.get(document.get_preview_url())

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_anonymous_is_sent_to_the_login_page(client):
    document = DocumentFactory()
    response = client.get(document.get_preview_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_download_permission_get_403(client):
    document = DocumentFactory()
    client.force_login(StaffUserFactory(permissions=["partners.view_document", "partners.review_document"]))
    assert client.get(document.get_preview_url()).status_code == 403


def test_an_unknown_document_is_404_and_only_get_is_answered(permitted):
    assert permitted.get(reverse("partners:document-preview", args=[999999])).status_code == 404
    assert permitted.post(DocumentFactory().get_preview_url()).status_code == 405


def test_a_missing_file_is_404(permitted):
    document = DocumentFactory()
    document.file.storage.delete(document.file.name)
    assert permitted.get(document.get_preview_url()).status_code == 404


def test_previews_are_logged_like_downloads(permitted, caplog):
    document = DocumentFactory()
    with caplog.at_level(logging.INFO, logger="partners.views"):
        body_of(permitted.get(document.get_preview_url()))
    assert any("document previewed: user=" in r.getMessage() and f"document={document.pk}" in r.getMessage()
               for r in caplog.records)
