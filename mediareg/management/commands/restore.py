"""manage.py restore FOLDER [--replace] [--no-input]

Puts a backup (manage.py backup) back: checks everything first (the manifest, every checksum, the migrations,
an empty database unless --replace, the document store), loads the dump in one transaction, writes the files
into the configured document store and counts the rows of every table again (mediareg.backups,
docs/deployment.md "Backups and restore"). Exit code 1 when anything is refused or differs."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mediareg import backups
from mediareg.cli import TerminalProgress
from mediareg.management.commands.backup import os_user


class Command(BaseCommand):
    help = "Restore a backup folder made by `manage.py backup` into this database and document store."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The backup folder (mediareg-backup-YYYYmmdd-HHMMSS).")
        parser.add_argument("--replace", action="store_true",
                            help="Drop everything the database holds first, and write over stored files that differ.")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive",
                            help="Do not ask for confirmation before --replace drops the database's contents.")

    def handle(self, *args, folder, replace, interactive, **options):
        folder = Path(folder)
        try:
            plan = backups.check_restore(folder, replace=replace)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = plan.manifest
        self.stdout.write(f"Backup of {manifest['created_at']}: {len(manifest['tables'])} tables, "
                          f"{sum(manifest['tables'].values())} rows, {manifest['documents']['count']} document files; "
                          f"checksums OK.")
        if replace and plan.tables_now and interactive:
            answer = input(f"This drops everything in the database ({plan.tables_now} tables) and replaces it with "
                           f"the backup. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled: nothing was changed.")
        progress = TerminalProgress(self, "documents", unit=" files")
        try:
            result = backups.restore_backup(plan, actor=f"command:restore {os_user()}", progress=progress)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            progress.close()
        self.stdout.write(f"Database loaded with {plan.tools['pg_restore']} ({plan.tools.version}); document files: "
                          f"{len(plan.files_to_write)} written, {len(plan.files_to_replace)} replaced, "
                          f"{len(plan.files_already_there)} already there, in {result.seconds:.1f} s.")
        if result.missing_migrations:
            self.stdout.write(f"The backup is older than this code: run `manage.py migrate` "
                              f"({len(result.missing_migrations)} migrations to apply).")
        if not result.ok:
            raise CommandError("Row counts differ from the backup's:\n  " + "\n  ".join(result.differences))
        self.stdout.write(f"OK: every table has the rows of the backup ({sum(manifest['tables'].values())} rows in "
                          f"{len(manifest['tables'])} tables).")
