"""manage.py import_press_council FILE [--complete] [--grace-days N] [--date YYYY-MM-DD]

Thin: the work is partners.press_council_import.import_press_council; see README "Importing the Dewan Pers
list". The re-check figures and the grace period come from the catalog (partners.signals).
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from mediareg.cli import TerminalProgress, date_argument, date_option, non_negative_int
from mediareg.csvfiles import ImportFileError
from partners.press_council_import import import_press_council

SHOWN_PROBLEMS = 50


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

        recheck = result.recheck  # the catalog's answer; None without it
        if result.encoding_note:
            self.stderr.write(f"Note: {result.encoding_note}.")
        for line, problem in result.skipped[:SHOWN_PROBLEMS]:
            self.stderr.write(f"Line {line}: not used: {problem}.")
        for line, note in result.notes[:SHOWN_PROBLEMS]:
            self.stderr.write(f"Line {line}: used, but {note}.")
        hidden = max(0, len(result.skipped) - SHOWN_PROBLEMS) + max(0, len(result.notes) - SHOWN_PROBLEMS)
        if hidden:
            self.stderr.write(f"… and {hidden} more; every row is kept in the admin under "
                              f"Dewan Pers list imports ({result.file_name}, {result.list_date}).")
        if result.flagged:
            self.stdout.write(flagged_note(result, grace_days))
        rechecked = (f"; eligibility re-checked for {recheck.checked} outlet(s), {recheck.changed} changed"
                     if recheck else "")
        self.stdout.write(
            f"Dewan Pers list {result.file_name} of {result.list_date}: {result.rows_read} rows, "
            f"{result.rows_matched} matched, {result.rows_created} created, {result.rows_skipped} not used, "
            f"{result.flagged} flagged as missing{rechecked}.")


def flagged_note(result, grace_days: int | None) -> str:
    """How long the flagged outlets keep counting: the policy's grace period (the catalog's answer), or
    the one asked for with --grace-days, with a word when the two differ."""
    note = f"{result.flagged} verified outlet(s) are missing from this complete list and were flagged for staff review"
    policy_days = result.recheck.grace_days if result.recheck else None
    days = policy_days if grace_days is None else int(grace_days)
    if days is None:
        return note + "."
    until = result.list_date + datetime.timedelta(days=days)
    note += f"; their verification keeps counting until {until} ({days} days)."
    if policy_days is not None and days != policy_days:
        note += (f" The eligibility rule applies the policy's {policy_days} days; change it under Eligibility policy "
                 "in the admin.")
    return note
