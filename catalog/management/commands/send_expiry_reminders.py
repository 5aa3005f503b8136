"""Send the expiry reminders due today, as the 07:00 job does; safe to run again at any time."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.reminders import send_expiry_reminders


class Command(BaseCommand):
    help = ("E-mail outlets whose documents expire in 30, 14 or 7 days (the policy's reminder days). "
            "Each reminder goes out once, however often this runs.")

    def handle(self, *args, **options):
        def progress(iterable, total):
            return tqdm(iterable, total=total, unit="mail", desc="Reminders", file=sys.stderr,
                        disable=not sys.stderr.isatty())

        summary = send_expiry_reminders(progress=progress)
        self.stdout.write(str(summary))
        if summary.failed:
            raise CommandError(f"{summary.failed} reminders could not be sent (mail server errors, see the log); "
                               "the next run sends them.")
