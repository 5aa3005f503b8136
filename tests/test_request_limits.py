"""Requests over settings.REQUEST_MAX_BYTES get a short 413 page in the visitor's language, and their
body is never written to disk (mediareg.limits): the declared length is judged before anything reads
the body, and the upload handler counts what is actually parsed for any body that escaped that check."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart

from catalog.models import Application
from partners.models import Document
from tests.helpers import text

pytestmark = pytest.mark.django_db

APPLY = "/apply/"
LIMIT = 100_000


class WatchedPayload(FakePayload):
    """A request body that counts how much of it the application read."""

    bytes_read = 0

    def read(self, size=-1, /):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1, /):
        data = super().readline(size)
        self.bytes_read += len(data)
        return data


@pytest.fixture
def upload_dir(settings, tmp_path):
    """Where Django would spool uploads; every file above 1,000 bytes would be written there."""
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "uploads"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.REQUEST_MAX_BYTES = LIMIT
    return settings.FILE_UPLOAD_TEMP_DIR


def multipart(*sizes: int) -> bytes:
    files = {f"doc_{kind}": SimpleUploadedFile(f"{kind}.pdf", b"%PDF-" + b"x" * size, "application/pdf")
             for kind, size in zip(["deed", "nib", "npwp_card"], sizes, strict=False)}
    return encode_multipart(BOUNDARY, {"legal_name": "PT Kabar Betawi Media", **files})


def post(client, body: bytes, **extra):
    payload = WatchedPayload(body)
    response = client.generic("POST", APPLY, body, content_type=MULTIPART_CONTENT, **{"wsgi.input": payload}, **extra)
    return response, payload


def test_an_oversized_request_is_refused_before_its_body_is_read(client, upload_dir, private_document_storage):
    response, payload = post(client, multipart(150_000))

    assert response.status_code == 413
    assert payload.bytes_read == 0
    assert list(upload_dir.iterdir()) == []
    assert not Application.objects.exists() and not Document.objects.exists()
    page = text(response)
    assert "Terlalu banyak yang dikirim sekaligus" in page  # Bahasa Indonesia by default
    assert "Ukuran seluruh berkas untuk satu pengajuan paling besar 50,0 MB" in page
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_the_page_speaks_the_visitors_language(client, upload_dir):
    client.cookies["django_language"] = "en"
    response, _payload = post(client, multipart(150_000))
    assert response.status_code == 413
    assert "The files of one application may together be at most 50.0 MB. Nothing was received or saved." in text(
        response)


def test_a_request_within_the_limit_is_read_as_usual(client, upload_dir):
    body = multipart(60_000)
    response, payload = post(client, body)
    assert response.status_code == 400  # the form's own errors: the other fields are missing
    assert payload.bytes_read == len(body)


def test_the_upload_handler_stops_a_body_whose_length_was_not_checked(client, settings, upload_dir):
    # As if the declared length had not been judged first (another server interface, a body without
    # one): the upload handler counts what is parsed, stops past the limit and leaves no file behind,
    # neither the file being written nor the one already complete.
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("RequestSizeLimitMiddleware")]
    body = multipart(60_000, 60_000, 60_000)

    response, payload = post(client, body)

    assert response.status_code == 413
    assert "Terlalu banyak yang dikirim sekaligus" in text(response)
    assert list(upload_dir.iterdir()) == []
    assert payload.bytes_read < len(body)  # the third file was never read


def test_too_many_form_fields_also_get_the_413_page(client, settings):
    # Django's own limit on the form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) ends on the same page.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(APPLY, {"legal_name": "x" * 5000})
    assert response.status_code == 413
    assert "Terlalu banyak yang dikirim sekaligus" in text(response)
