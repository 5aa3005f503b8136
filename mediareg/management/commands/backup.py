"""manage.py backup [--output DIR] | backup --verify FOLDER

A backup folder (database dump, every file of the document store, manifest with checksums and row counts;
mediareg.backups, docs/deployment.md "Backups and restore"), or the check of one. Recorded in the data access log
with the command's name and the operating-system account."""

from __future__ import annotations

import getpass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from mediareg import backups
from mediareg.cli import TerminalProgress


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


class Command(BaseCommand):
    help = "Back up the database and every document file into a folder with a checksum manifest, or --verify one."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default=None,
                            help="The folder that receives the backup folder (default: BACKUP_DIR).")
        parser.add_argument("--verify", metavar="FOLDER", default=None,
                            help="Check a backup folder: its manifest and the size and SHA-256 of every file.")

    def handle(self, *args, output, verify, **options):
        if verify:
            return self.verify(Path(verify))
        progress = TerminalProgress(self, "documents", unit=" files")
        try:
            result = backups.make_backup(Path(output) if output else settings.BACKUP_DIR,
                                         actor=f"command:backup {os_user()}", progress=progress)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            progress.close()
        manifest = result.manifest
        self.stdout.write(
            f"Backup written to {result.folder}: database {filesizeformat(result.dump_bytes)} "
            f"({len(manifest['tables'])} tables, {result.rows} rows), {result.document_count} document files "
            f"({filesizeformat(result.document_bytes)}) from the {manifest['documents']['store']}, "
            f"in {result.seconds:.1f} s")

    def verify(self, folder: Path):
        progress = TerminalProgress(self, "checking", unit="B", unit_scale=True)
        try:
            manifest, problems = backups.verify_backup(folder, progress)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            progress.close()
        if problems:
            raise CommandError(f"{folder}: {len(problems)} problems:\n  " + "\n  ".join(problems))
        self.stdout.write(f"OK: {folder} matches its manifest ({len(manifest['files'])} files, made "
                          f"{manifest['created_at']}).")
