"""manage.py migrate_documents --to s3|local [--dry-run]

Thin: the work is partners.storage_migration; see docs/storage.md "Moving the files".
"""

from __future__ import annotations

import time

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from mediareg.cli import TerminalProgress
from partners.s3_storage import PrivateS3DocumentStorage
from partners.storage import PrivateDocumentStorage
from partners.storage_migration import migrate_document_files, referenced_files

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = ("Copy every document file the database refers to (documents, proofs of publication, and the earlier "
            "files their audit trail names) from the folder DOCUMENTS_ROOT to the bucket of STORAGE_URL (--to s3), "
            "or back (--to local), under the same names. Files already there with the same checksum are skipped, "
            "so it can be run again after an interruption; every file written is read back and compared.")

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, choices=["s3", "local"],
                            help="s3: from the folder to the bucket; local: from the bucket to the folder.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be copied; write nothing.")

    def handle(self, *args, to, dry_run=False, **options):
        bucket, folder = self.bucket(), PrivateDocumentStorage()
        if to == "s3" and not folder.exists(""):
            raise CommandError(f"The folder {folder.location} (DOCUMENTS_ROOT) does not exist: nothing to copy.")
        source, target = (folder, bucket) if to == "s3" else (bucket, folder)
        started = time.monotonic()
        names = referenced_files()
        total = names.count()
        progress = TerminalProgress(self, "Documents", unit="file")
        try:
            summary = migrate_document_files(names.iterator(chunk_size=2000), source=source, target=target,
                                             dry_run=dry_run, progress=lambda: progress(1, total))
        finally:
            progress.close()

        for name in summary.missing[:SHOWN_PROBLEMS]:
            self.stderr.write(f"Missing at the source: {name}")
        for name, reason in summary.failed[:SHOWN_PROBLEMS]:
            self.stderr.write(f"Failed: {name}: {reason}")
        hidden = max(0, len(summary.missing) - SHOWN_PROBLEMS) + max(0, len(summary.failed) - SHOWN_PROBLEMS)
        if hidden:
            self.stderr.write(f"… and {hidden} more.")
        where = f"{self.describe(source)} to {self.describe(target)}"
        copied = (f"{summary.copied} to copy" if dry_run
                  else f"{summary.copied} copied ({summary.bytes_copied / 1_000_000:.1f} MB)")
        self.stdout.write(
            f"{'Dry run, nothing written: ' if dry_run else ''}{total} files from {where}: {copied}, "
            f"{summary.skipped} already there, {len(summary.missing)} missing at the source, "
            f"{len(summary.failed)} failed, in {time.monotonic() - started:.1f} s")
        if summary.failed:
            raise CommandError(f"{len(summary.failed)} file(s) failed; run the command again to retry them.")

    def bucket(self) -> PrivateS3DocumentStorage:
        store = storages["documents"]
        if not isinstance(store, PrivateS3DocumentStorage):
            raise CommandError("No bucket is configured: set STORAGE_URL (or AWS_STORAGE_BUCKET_NAME) and the AWS_* "
                               "credentials for this command (docs/storage.md).")
        try:
            store.connection.meta.client.head_bucket(Bucket=store.bucket_name)
        except (BotoCoreError, ClientError) as exc:
            raise CommandError(f"The bucket {store.bucket_name} cannot be reached: {exc}") from exc
        return store

    @staticmethod
    def describe(store) -> str:
        if isinstance(store, PrivateS3DocumentStorage):
            return f"bucket {store.bucket_name}" + (f"/{store.location}" if store.location else "")
        return f"folder {store.location}"
