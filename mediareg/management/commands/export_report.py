"""manage.py export_report NAME [--output FILE] [--format csv|xlsx] [--profile full|public] [filters]

The same reports and files as /reports/ (mediareg.reports), for a terminal or a cron job: written to a file
or to standard output, with a progress bar on a terminal, and recorded in the data access log with the
command's name and the operating-system account.
"""

from __future__ import annotations

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from mediareg.access import finish_access, record_access
from mediareg.models import DataAccess
from mediareg.reports import REGISTRY, get_report
from mediareg.reports.filters import parse_filters, parse_profile
from mediareg.reports.formats import csv_chunks, write_xlsx


class Command(BaseCommand):
    help = "Write a report (outlets, documents, eligibility-history, spend-ledger, budget-utilisation, exceptions)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The report: " + ", ".join(sorted(REGISTRY)))
        parser.add_argument("--output", "-o", default="-", help="The file to write; - (the default) is stdout.")
        parser.add_argument("--format", dest="file_format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--profile", default="full", choices=["full", "public"])
        parser.add_argument("--language", default="id", choices=["id", "en"])
        parser.add_argument("--agency", default="", help="An agency's address name (slug).")
        parser.add_argument("--year", default="")
        parser.add_argument("--from", dest="date_from", default="", help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", default="", help="YYYY-MM-DD")
        parser.add_argument("--as-of", dest="as_of", default="", help="YYYY-MM-DD: as things stood that day.")

    def handle(self, *args, name, output, file_format, profile, language, **options):
        report = get_report(name)
        if report is None:
            raise CommandError(f"No report {name!r}; the reports: {', '.join(sorted(REGISTRY))}.")
        try:
            given = {key: options[key] for key in ("agency", "year", "date_from", "date_to", "as_of")}
            filters = parse_filters(report, given)
            profile = parse_profile(profile)
        except ValidationError as refusal:
            raise CommandError(" ".join(refusal.messages)) from refusal
        if file_format == "xlsx" and output == "-":
            raise CommandError("An XLSX file needs --output FILE.")
        try:
            os_user = getpass.getuser()
        except (KeyError, OSError):
            os_user = ""
        entry = record_access(kind=DataAccess.Kind.REPORT, name=report.name, actor=f"command:export_report {os_user}",
                              file_format=file_format, profile=profile, filters=filters.as_dict())
        show = sys.stderr.isatty() and options.get("verbosity", 1) > 0
        bar = tqdm(total=report.count(filters, None), unit=" rows", file=sys.stderr, disable=not show)

        def progress(rows):
            bar.update(rows - bar.n)

        if file_format == "csv":
            stream = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115 (closed below)
            rows = 0

            def finished(count):
                nonlocal rows
                rows = count

            try:
                for chunk in csv_chunks(report, filters, None, profile=profile, language=language, finished=finished,
                                        progress=progress):
                    stream.write(chunk)
            finally:
                if output != "-":
                    stream.close()
        else:
            with open(output, "wb") as target:
                _handle, rows = write_xlsx(report, filters, None, profile=profile, language=language, target=target,
                                           progress=progress)
        progress(rows)
        bar.close()
        finish_access(entry, rows)
        if output != "-":
            self.stderr.write(f"{rows} rows written to {output}")
