"""manage.py import_outlets FILE [--dry-run] [--report hasil.csv]
manage.py import_outlets --template template.xlsx   (or .csv)

Thin: the rows' rules are partners.outlet_import, the reading and the template partners.outlet_sheet; see
README "A spreadsheet of outlets". Exit code 0 even with refused rows (they are in the report and on
stderr); 1 when the file cannot be read at all.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from mediareg.cli import TerminalProgress
from mediareg.csvfiles import ImportFileError
from partners.outlet_import import REFUSED, import_outlets, summary, write_report
from partners.outlet_sheet import template_bytes

SHOWN_REFUSALS = 50


class Command(BaseCommand):
    help = ("Import a spreadsheet (CSV or XLSX) of press companies and media outlets: match existing ones by NPWP "
            "and website, create the new ones, report every row as created, matched or refused.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV (comma or semicolon, UTF-8) or XLSX file (first sheet).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check every row and report, but save nothing.")
        parser.add_argument("--report", metavar="CSV", help="Write one line per row (row, outcome, company, "
                                                             "outlet, website, code, reason) to this CSV file.")
        parser.add_argument("--template", metavar="FILE",
                            help="Write the template to fill in (.xlsx with instructions, or .csv) and stop.")

    def handle(self, *args, file=None, dry_run=False, report=None, template=None, **options):
        if template:
            return self.write_template(Path(template))
        if not file:
            raise CommandError(gettext("Give the file to import, or --template FILE to get the template."))
        progress = TerminalProgress(self, gettext("Outlets"), unit="row")
        try:
            result = import_outlets(file, dry_run=dry_run, progress=progress)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            progress.close()

        if result.note:
            self.stderr.write(gettext("Note: %(note)s.") % {"note": result.note})
        refused = [row for row in result.rows if row.outcome == REFUSED]
        for row in refused[:SHOWN_REFUSALS]:
            self.stderr.write(gettext("Row %(row)d refused (%(code)s): %(reason)s") % {
                "row": row.row, "code": row.code, "reason": row.reason})
        if len(refused) > SHOWN_REFUSALS:
            self.stderr.write(gettext("… and %(n)d more refused rows (see --report).") % {
                "n": len(refused) - SHOWN_REFUSALS})
        if report:
            try:
                with Path(report).open("w", encoding="utf-8", newline="") as target:
                    write_report(result, target)
            except OSError as exc:
                raise CommandError(gettext("Cannot write the report %(path)s: %(error)s") % {
                    "path": report, "error": exc.strerror or exc}) from exc
        self.stdout.write(summary(result))

    def write_template(self, path: Path) -> None:
        kind = path.suffix.lower().lstrip(".")
        if kind not in ("xlsx", "csv"):
            raise CommandError(gettext("The template is an .xlsx or a .csv file."))
        try:
            path.write_bytes(template_bytes(kind))
        except OSError as exc:
            raise CommandError(gettext("Cannot write %(path)s: %(error)s") % {
                "path": path, "error": exc.strerror or exc}) from exc
        self.stdout.write(gettext("Template written to %(path)s.") % {"path": path})
