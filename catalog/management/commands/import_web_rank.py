"""manage.py import_web_rank FILE [--list-id ID] [--date YYYY-MM-DD] [--source tranco]

Thin: the work is catalog.web_rank.import_web_rank; see README "Importing a web rank list".
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from catalog.web_rank import import_web_rank
from mediareg.cli import TerminalProgress, date_argument, date_option
from mediareg.csvfiles import ImportFileError


class Command(BaseCommand):
    help = ("Import a Tranco-format web rank list (rank,domain lines without a header, or the ZIP holding "
            "top-1m.csv): each outlet with a website gets its best rank in this list, or none.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="top-1m.csv, or the ZIP downloaded from tranco-list.eu.")
        parser.add_argument("--list-id", default=None,
                            help="The list's id, e.g. LJL44 (default: the file name without .zip/.csv). "
                                 "Importing an id again replaces that list's ranks.")
        parser.add_argument("--date", type=date_argument, default=None,
                            help="Date of the list, YYYY-MM-DD (default: today in Asia/Jakarta).")
        parser.add_argument("--source", default="tranco", help="Name of the ranking (default: tranco).")

    def handle(self, *args, file, list_id=None, date=None, source="tranco", **options):
        progress = TerminalProgress(self, "Web rank list", unit="B", unit_scale=True, unit_divisor=1024)
        try:
            result = import_web_rank(file, list_id=list_id, list_date=date_option(date), source=source,
                                     progress=progress)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            progress.close()

        for line, text in result.malformed:
            self.stderr.write(f"Line {line}: not “rank,domain”, skipped: {text}")
        if result.malformed_count > len(result.malformed):
            self.stderr.write(f"… {result.malformed_count} malformed lines in all "
                              f"(the first {len(result.malformed)} are shown).")
        rank_list = result.rank_list
        replaced = "; replaced the earlier import of this list" if result.replaced else ""
        recheck = (f"; eligibility re-checked for {result.recheck.checked} online outlet(s), "
                   f"{result.recheck.changed} changed" if result.recheck else "")
        self.stdout.write(
            f"Web rank list {rank_list.source} {rank_list.list_id} of {rank_list.list_date}: "
            f"{result.rows_read:,} rows read, {result.ranked} of {result.outlets} outlet(s) with a website ranked, "
            f"{result.outlets - result.ranked} not ranked, {result.malformed_count} malformed line(s) skipped"
            f"{replaced}{recheck}.")
