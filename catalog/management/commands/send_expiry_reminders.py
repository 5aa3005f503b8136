"""Send the expiry reminders due today, as the 07:00 job does; safe to run again at any time."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.reminders import send_expiry_reminders, send_tax_year_notices


class Command(BaseCommand):
    help = ("E-mail outlets whose documents expire, or whose KSWP or annual tax return stops counting, in 30, 14 "
            "or 7 days (the policy's reminder days), and in December the year-end tax notices. Each e-mail goes "
            "out once, however often this runs.")

    def handle(self, *args, **options):
        def progress(iterable, total):
            return tqdm(iterable, total=total, unit="mail", desc="Reminders", file=sys.stderr,
                        disable=not sys.stderr.isatty())

        summary = send_expiry_reminders(progress=progress)
        self.stdout.write(str(summary))
        notices = send_tax_year_notices(progress=progress)
        self.stdout.write(str(notices))
        failed = summary.failed + notices.failed
        if failed:
            raise CommandError(f"{failed} e-mails could not be sent (mail server errors, see the log); "
                               "the next run sends them.")
