"""Documents in an S3-compatible bucket (docs/storage.md), against a real S3-compatible server (moto's
standalone server, tests/s3.py): STORAGE_URL, uploads through the public form and the back office, downloads
and previews through the permission-checked views, the earlier file of a replaced document, proofs of
publication. The same paths on the local folder are tested in test_document_download, test_document_preview,
test_staff_edits and test_order_admin."""

from __future__ import annotations

import io
import re
import time

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from budgets.models import MediaOrder
from mediareg.settings import document_storage_setting
from partners.demo.files import pdf_bytes
from partners.models import Document, document_storage
from partners.s3_storage import PrivateS3DocumentStorage, StreamedObject
from tests.apply_helpers import REQUIRED_KINDS, stored_files
from tests.budget_helpers import (
    SERVICE_UNTIL,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
)
from tests.factories import DocumentFactory, StaffUserFactory
from tests.helpers import closed_port
from tests.test_settings import run_python
from tests.test_staff_edits import change_page, new_pdf, page_data

S3 = "partners.s3_storage.PrivateS3DocumentStorage"
STORED_NAME = re.compile(r"\d{4}/\d{2}/[0-9a-f]{32}\.pdf")


# --- STORAGE_URL and the AWS_* variables (mediareg.settings.document_storage_setting) --------------------


def test_without_storage_settings_documents_stay_in_the_private_folder():
    assert document_storage_setting({}) == {"BACKEND": "partners.storage.PrivateDocumentStorage"}


@pytest.mark.parametrize(("url", "options"), [
    ("s3://documents", {"bucket_name": "documents"}),
    ("s3://mediareg-docs/prod/files/?endpoint_url=https://minio.internal:9000&region_name=ap-southeast-3"
     "&addressing_style=path",
     {"bucket_name": "mediareg-docs", "location": "prod/files", "endpoint_url": "https://minio.internal:9000",
      "region_name": "ap-southeast-3", "addressing_style": "path"}),
    ("  s3://docs.kominfo?addressing_style=virtual  ", {"bucket_name": "docs.kominfo", "addressing_style": "virtual"}),
])
def test_storage_url_selects_a_private_bucket(url, options):
    assert document_storage_setting({"STORAGE_URL": url}) == {"BACKEND": S3, "OPTIONS": options}


@pytest.mark.parametrize(("url", "problem"), [
    ("https://documents", "the scheme must be s3"),
    ("documents", "the scheme must be s3, not missing"),
    ("s3://", "is not a bucket name"),
    ("s3://ab", "is not a bucket name"),
    ("s3://docs bucket", "is not a bucket name"),
    ("s3://AKIA:secret@documents", "put credentials in AWS_ACCESS_KEY_ID"),
    ("s3://documents:9000", "put credentials in AWS_ACCESS_KEY_ID"),
    ("s3://documents/a//b", "empty, . or .. segment"),
    ("s3://documents/../other", "empty, . or .. segment"),
    ("s3://documents?endpoint=http://minio:9000", "unknown parameter 'endpoint'"),
    ("s3://documents?region_name=a&region_name=b", "region_name is given twice"),
    ("s3://documents?region_name", "not name=value pairs"),
    ("s3://documents?endpoint_url=minio:9000", "STORAGE_URL's endpoint_url is not an http:// or https:// address"),
    ("s3://documents?endpoint_url=http://minio:port", "is not an http:// or https:// address"),
    ("s3://documents?endpoint_url=http://key:secret@minio:9000", "is not an http:// or https:// address"),
    ("s3://documents?addressing_style=host", "is not one of path, virtual or auto"),
    ("s3://documents?region_name=", "is not a region name"),
    ("s3://documents#prod", "a # has no meaning"),
])
def test_a_malformed_storage_url_is_refused_with_what_is_wrong(url, problem):
    with pytest.raises(ImproperlyConfigured, match=re.escape(problem)) as refusal:
        document_storage_setting({"STORAGE_URL": url})
    assert "secret" not in str(refusal.value)  # a URL with a secret in it is never repeated


def test_the_aws_variables_select_the_bucket_when_storage_url_is_not_set():
    environ = {"AWS_STORAGE_BUCKET_NAME": "documents", "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
               "AWS_S3_REGION_NAME": "us-east-1", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret"}
    assert document_storage_setting(environ) == {"BACKEND": S3, "OPTIONS": {
        "bucket_name": "documents", "endpoint_url": "http://127.0.0.1:9000", "region_name": "us-east-1"}}
    assert document_storage_setting({**environ, "STORAGE_URL": "s3://other"})["OPTIONS"] == {"bucket_name": "other"}
    with pytest.raises(ImproperlyConfigured, match="AWS_S3_ENDPOINT_URL is not an http"):
        document_storage_setting({**environ, "AWS_S3_ENDPOINT_URL": "127.0.0.1:9000"})


def test_a_malformed_storage_url_stops_the_start_and_a_good_one_is_the_default_and_documents_store():
    script = ("import django; django.setup(); from django.core.files.storage import storages; "
              "documents, default = storages['documents'], storages['default']; "
              "print(type(documents).__name__, type(default).__name__, documents.bucket_name, default.url('x') == '')")
    env = {"DJANGO_SETTINGS_MODULE": "mediareg.settings"}
    good = run_python("-c", script, env={**env, "STORAGE_URL": "s3://documents?region_name=us-east-1"})
    assert good.returncode == 0, good.stderr
    assert good.stdout.split() == ["PrivateS3DocumentStorage", "PrivateS3DocumentStorage", "documents", "True"]
    assert "documents: in the folder" not in good.stderr  # the embedded defaults line no longer names it
    bad = run_python("-c", script, env={**env, "STORAGE_URL": "s3://documents?endpoint=http://minio:9000"})
    assert bad.returncode != 0
    assert "ImproperlyConfigured: STORAGE_URL: unknown parameter 'endpoint'" in bad.stderr


# --- the storage itself ---------------------------------------------------------------------------------


def test_the_bucket_storage_refuses_every_way_to_a_public_file():
    for option in ({"default_acl": "public-read"}, {"custom_domain": "cdn.example.org"}, {"querystring_auth": False}):
        with pytest.raises(ImproperlyConfigured, match="Document files are private"):
            PrivateS3DocumentStorage(bucket_name="documents", **option)


def test_a_store_that_does_not_answer_fails_within_a_requests_time(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    storage = PrivateS3DocumentStorage(bucket_name="documents", endpoint_url=f"http://127.0.0.1:{closed_port()}",
                                       region_name="us-east-1")
    config = storage.connection.meta.client.meta.config
    assert (config.connect_timeout, config.read_timeout, config.retries["total_max_attempts"]) == (5, 20, 3)
    started = time.monotonic()
    with pytest.raises(EndpointConnectionError):
        storage.open("2026/11/x.pdf")
    assert time.monotonic() - started < 10  # gunicorn gives a request 30 s


def test_files_go_into_the_bucket_privately_never_over_another_and_without_a_url(s3_documents, settings):
    storage = document_storage()
    first = storage.save("2026/11/same.pdf", ContentFile(b"%PDF-1 first"))
    second = storage.save("2026/11/same.pdf", ContentFile(b"%PDF-1 second"))

    assert first == "2026/11/same.pdf" and second != first  # file_overwrite off: a new name, nothing lost
    assert s3_documents.keys() == sorted([first, second])
    assert s3_documents.read(first) == b"%PDF-1 first"
    assert storage.url(first) == "" and storages["default"].url(first) == ""
    grants = s3_documents.client.get_object_acl(Bucket=s3_documents.bucket, Key=first)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only: no public grant
    assert grants[0]["Grantee"]["Type"] == "CanonicalUser"
    assert stored_files(settings.DOCUMENTS_ROOT) == []


@pytest.fixture
def requests_sent(s3_documents):
    """The operations the document store sends to the bucket, by name."""
    sent = []
    events = document_storage().connection.meta.client.meta.events
    events.register("before-call.s3.*", lambda model, **kwargs: sent.append(model.name))
    return sent


def test_a_file_is_stored_with_one_request_that_the_store_refuses_over_a_taken_name(s3_documents, requests_sent):
    storage = document_storage()
    first = storage.save("2026/11/same.pdf", ContentFile(b"%PDF-1 first"))
    assert requests_sent == ["PutObject"]  # no HEAD first: the PUT itself says If-None-Match: *

    second = storage.save("2026/11/same.pdf", ContentFile(b"%PDF-1 second"))
    assert requests_sent == ["PutObject", "PutObject", "PutObject"]  # refused (412), then under another name
    assert second != first
    assert (s3_documents.read(first), s3_documents.read(second)) == (b"%PDF-1 first", b"%PDF-1 second")


def test_a_file_too_large_for_one_request_is_uploaded_in_parts_never_over_another(s3_documents, requests_sent,
                                                                                    monkeypatch):
    monkeypatch.setattr("partners.s3_storage.SINGLE_PUT_MAX_BYTES", 10)
    storage = document_storage()
    first = storage.save("2026/11/big.pdf", ContentFile(b"%PDF-1 " + b"x" * 100))
    second = storage.save("2026/11/big.pdf", ContentFile(b"%PDF-1 " + b"y" * 100))
    assert second != first
    assert s3_documents.read(first).endswith(b"x") and s3_documents.read(second).endswith(b"y")
    assert "HeadObject" in requests_sent  # boto3's upload manager cannot refuse a taken name: it is asked first


def test_a_file_is_streamed_and_can_be_rewound_over_the_bytes_already_read():
    data = bytes(range(256)) * 1024  # 256 KB, more than the kept head
    stream = StreamedObject(io.BytesIO(data), len(data))
    assert stream.read(16) == data[:16]
    assert stream.seek(0) == 0 and stream.tell() == 0
    assert stream.seek(0, io.SEEK_END) == len(data) and stream.read(10) == b""  # how FileResponse measures it
    assert stream.seek(0) == 0
    assert stream.read(20) == data[:20]  # the kept bytes first, then the rest of the body
    assert stream.read(StreamedObject.KEEP) == data[20:20 + StreamedObject.KEEP]
    with pytest.raises(io.UnsupportedOperation):
        stream.seek(0)  # more than KEEP bytes have gone by: rewinding would need a second download
    assert stream.read() == data[20 + StreamedObject.KEEP:]
    stream.close()
    assert stream.closed


# --- uploads, downloads and previews through the views ---------------------------------------------------


@pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "eager_tasks")
@pytest.mark.django_db
def test_an_application_from_the_public_form_stores_its_documents_in_the_bucket(s3_documents, submit, settings):
    response = submit(REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    names = sorted(Document.objects.values_list("file", flat=True))
    assert len(names) == len(REQUIRED_KINDS) + 1
    assert all(STORED_NAME.fullmatch(name) for name in names)  # random names, not the applicant's
    assert s3_documents.keys() == names
    for document in Document.objects.all():
        assert s3_documents.read(document.file.name).startswith(b"%PDF-")
        assert document.file.url == ""
    assert stored_files(settings.DOCUMENTS_ROOT) == []  # nothing on this machine's disk


@pytest.fixture
def gets(s3_documents):
    """The GET requests the document store sends to the bucket, counted."""
    counted = []
    events = document_storage().connection.meta.client.meta.events
    events.register("before-call.s3.GetObject", lambda **kwargs: counted.append(kwargs["params"]))
    return counted


@pytest.mark.django_db
def test_permitted_staff_download_and_preview_a_document_from_the_bucket(s3_documents, client, gets):
    document = DocumentFactory(original_filename="NPWP PT Kabar.pdf")
    stored = s3_documents.read(document.file.name)
    assert stored.startswith(b"%PDF-")

    client.force_login(StaffUserFactory(permissions=["partners.download_document"]))
    download = client.get(document.get_download_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == stored
    assert download["Content-Length"] == str(len(stored))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="NPWP_PT_Kabar.pdf"'
    assert (download["Cache-Control"], download["X-Content-Type-Options"]) == ("no-store", "nosniff")

    preview = client.get(document.get_preview_url())
    assert preview.status_code == 200
    assert b"".join(preview.streaming_content) == stored  # its first bytes told the type, and were sent too
    assert preview["Content-Length"] == str(len(stored))
    assert preview["Content-Disposition"] == 'inline; filename="NPWP_PT_Kabar.pdf"'
    assert preview["Content-Security-Policy"].startswith("sandbox")
    assert len(gets) == 2  # one GET each: the preview read the type without a second download


@pytest.mark.django_db
def test_others_get_no_document_from_the_bucket(s3_documents, client, gets):
    document = DocumentFactory()
    anonymous = client.get(document.get_download_url())
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("admin:login"))
    client.force_login(StaffUserFactory(permissions=["partners.view_document"]))
    assert client.get(document.get_download_url()).status_code == 403
    assert client.get(document.get_preview_url()).status_code == 403
    assert gets == []  # refused before the bucket is asked


@pytest.mark.django_db
def test_a_file_missing_from_the_bucket_is_a_404(s3_documents, client):
    document = DocumentFactory()
    s3_documents.client.delete_object(Bucket=s3_documents.bucket, Key=document.file.name)
    client.force_login(StaffUserFactory(permissions=["partners.download_document"]))
    assert client.get(document.get_download_url()).status_code == 404
    assert client.get(document.get_preview_url()).status_code == 404


@pytest.mark.django_db
def test_a_replaced_file_stays_in_the_bucket_and_is_served_from_the_audit_trail(s3_documents, admin_client,
                                                                                 auditor, client,
                                                                                 django_capture_on_commit_callbacks):
    document = DocumentFactory(original_filename="KSWP lama.pdf")
    old_name, old_bytes = document.file.name, s3_documents.read(document.file.name)

    page = admin_client.get(change_page(document))
    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_client.post(change_page(document), {**page_data(page), "file": new_pdf("KSWP baru")})
    assert saved.status_code == 302
    document.refresh_from_db()

    assert document.file.name != old_name
    assert s3_documents.keys() == sorted([old_name, document.file.name])  # nothing deleted on replace
    assert [version["name"] for version in document.earlier_files()] == [old_name]
    client.force_login(auditor)
    earlier = client.get(reverse("partners:document-earlier-file", args=[document.pk, old_name]))
    assert earlier.status_code == 200
    assert b"".join(earlier.streaming_content) == old_bytes
    assert earlier["Content-Length"] == str(len(old_bytes))
    assert earlier["Content-Disposition"] == 'attachment; filename="KSWP_lama.pdf"'
    current = client.get(document.get_download_url())
    assert b"".join(current.streaming_content) == s3_documents.read(document.file.name) != old_bytes

    # Deleted, too: its file stays, named by the audit event of the deletion.
    Document.objects.filter(pk=document.pk).delete()
    assert s3_documents.keys() == sorted([old_name, document.file.name])
    last = client.get(reverse("partners:document-earlier-file", args=[document.pk, document.file.name]))
    assert last.status_code == 200 and b"".join(last.streaming_content).startswith(b"%PDF-")


@pytest.mark.usefixtures("ordinary_day", "english")
@pytest.mark.django_db
def test_a_proof_of_publication_goes_into_the_bucket_and_back_to_its_agency_only(s3_documents, client, settings):
    agency = make_agency("Dinas Kominfo Banjar", slug="banjar")
    officer = budget_officer(agency, "petugas.banjar")
    order = place(make_budget(agency, amount=100_000_000), approved_price(listed_eligible_outlet()), user=officer,
                  service_end=SERVICE_UNTIL)  # its proof is on time on the pinned day
    client.force_login(officer)
    proof = pdf_bytes("Bukti tayang advertorial")

    posted = client.post(reverse("admin:budgets_mediaorder_step", args=[order.pk, "publish"]),
                         {"proof_file": ContentFile(proof, name="bukti tayang.pdf")})
    assert posted.status_code == 302
    order = MediaOrder.objects.get(pk=order.pk)
    assert re.fullmatch(r"proofs/" + STORED_NAME.pattern, order.proof_file.name)
    assert [key for key in s3_documents.keys() if key.startswith("proofs/")] == [order.proof_file.name]
    assert s3_documents.read(order.proof_file.name) == proof
    assert stored_files(settings.DOCUMENTS_ROOT) == []

    download = client.get(reverse("order-proof", args=[order.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == proof
    assert download["Content-Length"] == str(len(proof))
    assert download["Content-Disposition"] == 'attachment; filename="bukti_tayang.pdf"'
    preview = client.get(reverse("order-proof-preview", args=[order.pk]))
    assert preview["Content-Disposition"].startswith("inline;") and b"".join(preview.streaming_content) == proof

    client.force_login(budget_officer(make_agency("Kominfotik DKI")))
    assert client.get(reverse("order-proof", args=[order.pk])).status_code == 404
