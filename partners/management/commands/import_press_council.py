"""manage.py import_press_council FILE [--complete] [--grace-days N] [--date YYYY-MM-DD]

Thin: the work is catalog.imports.import_press_council; see README "Importing the Dewan Pers list".
"""

from __future__ import annotations

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from partners.press_council_import import ImportFileError, import_press_council

SHOWN_PROBLEMS = 50


def date_argument(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"“{value}” is not a date; use YYYY-MM-DD") from exc


def date_option(value) -> datetime.date | None:
    """call_command(..., date="2024-05-01") passes the string as it is, without argparse's type."""
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return date_argument(str(value))
    except argparse.ArgumentTypeError as exc:
        raise CommandError(f"--date: {exc}") from exc


def non_negative_int(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"“{value}” is not a whole number of days")
    return int(value)


class TerminalProgress:
    """A tqdm bar, only when stdout is a terminal; called as progress(advance, total)."""

    def __init__(self, command: BaseCommand, description: str, **tqdm_options):
        self.enabled = command.stdout.isatty()
        self.description, self.options, self.bar = description, tqdm_options, None

    def __call__(self, advance: int, total: int | None) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.description, leave=False, **self.options)
        self.bar.update(advance)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = ("Import a CSV of the Dewan Pers list of press companies: match outlets by website or name, create "
            "what is new, keep every row as evidence, report the rows that could not be used.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (comma or semicolon; UTF-8 or Windows-1252).")
        parser.add_argument("--complete", action="store_true",
                            help="The file is the whole list: flag verified outlets missing from it for staff "
                                 "review (they keep counting during the grace period of the eligibility policy).")
        parser.add_argument("--grace-days", type=non_negative_int, default=None,
                            help="Grace period to state in the note about flagged outlets (default: the "
                                 "eligibility policy's, which is what the rule applies; change it in the admin).")
        parser.add_argument("--date", type=date_argument, default=None,
                            help="Date of the list, YYYY-MM-DD (default: today in Asia/Jakarta).")

    def handle(self, *args, file, complete=False, grace_days=None, date=None, **options):
        progress = TerminalProgress(self, "Dewan Pers list", unit="row")
        try:
            result = import_press_council(file, list_date=date_option(date), complete=complete, progress=progress)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            progress.close()

        record = result.record
        if result.encoding_note:
            self.stderr.write(f"Note: {result.encoding_note}.")
        for line, problem in result.skipped[:SHOWN_PROBLEMS]:
            self.stderr.write(f"Line {line}: not used: {problem}.")
        for line, note in result.notes[:SHOWN_PROBLEMS]:
            self.stderr.write(f"Line {line}: used, but {note}.")
        hidden = max(0, len(result.skipped) - SHOWN_PROBLEMS) + max(0, len(result.notes) - SHOWN_PROBLEMS)
        if hidden:
            self.stderr.write(f"… and {hidden} more; every row is kept in the admin under "
                              f"Dewan Pers list imports ({record.file_name}, {record.list_date}).")
        if result.flagged:
            days = result.grace_days if grace_days is None else int(grace_days)
            until = record.list_date + datetime.timedelta(days=days)
            note = (f"{result.flagged} verified outlet(s) are missing from this complete list and were flagged for "
                    f"staff review; their verification keeps counting until {until} ({days} days).")
            if days != result.grace_days:
                note += (f" The eligibility rule applies the policy's {result.grace_days} days; change it under "
                         "Eligibility policy in the admin.")
            self.stdout.write(note)
        self.stdout.write(
            f"Dewan Pers list {record.file_name} of {record.list_date}: {record.rows_read} rows, "
            f"{record.rows_matched} matched, {record.rows_created} created, {record.rows_skipped} not used, "
            f"{record.outlets_flagged} flagged as missing; eligibility re-checked for {result.recheck.checked} "
            f"outlet(s), {result.recheck.changed} changed.")
