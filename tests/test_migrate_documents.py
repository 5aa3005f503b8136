"""manage.py migrate_documents (partners.storage_migration, docs/storage.md "Moving the files"): every file the
database refers to is copied between the private folder and the bucket under the same name, checked, and a
second run copies nothing. Against the real S3-compatible test server (tests/s3.py)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from budgets import services as budgets
from partners import services
from partners.demo.files import pdf_bytes
from partners.models import Document
from tests.budget_helpers import approved_price, listed_eligible_outlet, make_budget, place
from tests.factories import DocumentFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]


def migrate(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("migrate_documents", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def local_files(folder) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def registry_on_disk(private_document_storage):
    """Documents, one of them replaced (its earlier file is named only by the audit trail), and an order's
    proof of publication, all written to the private folder before any bucket is configured."""
    replaced = DocumentFactory()
    earlier = replaced.file.name
    replaced.file = SimpleUploadedFile("baru.pdf", pdf_bytes("Pengganti"), content_type="application/pdf")
    services.document_save(replaced, actor="test")
    DocumentFactory()
    outlet = listed_eligible_outlet()  # with its own documents
    order = place(make_budget(), approved_price(outlet))
    budgets.order_publish(order, proof_file=SimpleUploadedFile("bukti.pdf", pdf_bytes("Bukti")), user=None,
                          today=order.proof_due_on)  # on its deadline
    files = local_files(private_document_storage)
    order.refresh_from_db()
    assert set(files) == {*Document.objects.values_list("file", flat=True), earlier, order.proof_file.name}
    return SimpleNamespace(files=files, replaced=replaced, earlier=earlier)


def test_every_file_the_database_names_is_copied_to_the_bucket_and_served_from_it(registry_on_disk, request, client):
    s3 = request.getfixturevalue("s3_documents")  # the bucket is configured only now, as in a deployment

    out, err = migrate("--to", "s3")

    files = registry_on_disk.files
    assert s3.keys() == sorted(files)  # current files, the replaced one, the proof
    assert all(s3.read(name) == content for name, content in files.items())
    assert f"{len(files)} files from folder" in out and f"to bucket {s3.bucket}:" in out
    assert f"{len(files)} copied" in out and "0 already there, 0 missing at the source, 0 failed" in out
    assert err == ""
    # No row changed: the views find each file in the bucket under its old name.
    client.force_login(StaffUserFactory(permissions=["partners.download_document"]))
    for document in Document.objects.all():
        assert b"".join(client.get(document.get_download_url()).streaming_content) == files[document.file.name]
    earlier = reverse("partners:document-earlier-file", args=[registry_on_disk.replaced.pk, registry_on_disk.earlier])
    assert b"".join(client.get(earlier).streaming_content) == files[registry_on_disk.earlier]


def test_a_second_run_copies_nothing_and_a_damaged_or_partial_copy_is_written_again(registry_on_disk, request):
    s3, files = request.getfixturevalue("s3_documents"), registry_on_disk.files
    migrate("--to", "s3")

    again, _ = migrate("--to", "s3")
    assert f"0 copied (0.0 MB), {len(files)} already there" in again

    damaged, partial, *_ = sorted(files)
    s3.client.put_object(Bucket=s3.bucket, Key=damaged, Body=b"x" * len(files[damaged]))  # same size, other bytes
    s3.client.put_object(Bucket=s3.bucket, Key=partial, Body=files[partial][:100])  # cut short
    repaired, _ = migrate("--to", "s3")

    assert "2 copied" in repaired and f"{len(files) - 2} already there" in repaired
    assert s3.read(damaged) == files[damaged] and s3.read(partial) == files[partial]
    assert s3.keys() == sorted(files)


def test_a_file_missing_from_the_folder_is_reported_and_the_others_are_copied(registry_on_disk, request,
                                                                             private_document_storage):
    s3 = request.getfixturevalue("s3_documents")
    lost = sorted(registry_on_disk.files)[0]
    (private_document_storage / lost).unlink()

    out, err = migrate("--to", "s3")

    assert "1 missing at the source, 0 failed" in out
    assert err.strip() == f"Missing at the source: {lost}"
    assert s3.keys() == sorted(set(registry_on_disk.files) - {lost})


def test_a_file_that_cannot_be_copied_fails_the_run_after_the_others_are_copied(registry_on_disk, request,
                                                                               private_document_storage):
    s3 = request.getfixturevalue("s3_documents")
    unreadable = DocumentFactory()  # written to the bucket; the folder has a directory where its file should be
    (private_document_storage / unreadable.file.name).mkdir(parents=True)

    with pytest.raises(CommandError, match=r"1 file\(s\) failed; run the command again"):
        migrate("--to", "s3")

    assert s3.keys() == sorted([*registry_on_disk.files, unreadable.file.name])  # the others were copied


def test_a_dry_run_writes_nothing(registry_on_disk, request):
    s3 = request.getfixturevalue("s3_documents")
    out, _ = migrate("--to", "s3", "--dry-run")
    assert out.startswith("Dry run, nothing written: ") and f"{len(registry_on_disk.files)} to copy" in out
    assert s3.keys() == []


def test_the_way_back_copies_the_bucket_into_an_empty_folder(s3_documents, private_document_storage, settings,
                                                             tmp_path):
    documents = [DocumentFactory(), DocumentFactory()]
    settings.DOCUMENTS_ROOT = tmp_path / "back"
    (tmp_path / "back").mkdir()

    out, _ = migrate("--to", "local")

    assert "2 copied" in out and f"from bucket {s3_documents.bucket} to folder" in out
    assert local_files(tmp_path / "back") == {d.file.name: s3_documents.read(d.file.name) for d in documents}
    assert "0 copied (0.0 MB), 2 already there" in migrate("--to", "local")[0]


def test_without_a_bucket_there_is_nothing_to_migrate_to(registry_on_disk):
    with pytest.raises(CommandError, match="No bucket is configured: set STORAGE_URL"):
        migrate("--to", "s3")
