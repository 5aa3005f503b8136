"""Re-check the eligibility of every outlet, or of one, as the nightly job and "re-check now" do."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.eligibility import BATCH_SIZE, RecheckSummary, recheck_outlets
from catalog.models import EligibilityPolicy, Trigger
from partners.models import MediaOutlet

ACTOR = "system:recheck_eligibility"


def outlet_id_batches(batch_size: int = BATCH_SIZE):
    """Outlet ids in ascending batches; one small query per batch, never the whole table in memory."""
    last = 0
    while True:
        ids = list(MediaOutlet.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        yield ids
        last = ids[-1]


class Command(BaseCommand):
    help = "Re-check the eligibility of every outlet (in batches), or of one outlet with --outlet ID."

    def add_arguments(self, parser):
        parser.add_argument("--outlet", type=int, metavar="ID", help="Re-check only the outlet with this id.")

    def handle(self, *args, outlet=None, **options):
        started = time.monotonic()
        if outlet is not None:
            if not MediaOutlet.objects.filter(pk=outlet).exists():
                raise CommandError(f"There is no outlet with id {outlet}.")
            summary = recheck_outlets([outlet], trigger=Trigger.STAFF, actor=ACTOR)
        else:
            policy = EligibilityPolicy.load()
            summary = RecheckSummary()
            with tqdm(total=MediaOutlet.objects.count(), unit="outlet", desc="Re-check", file=sys.stderr,
                      disable=not sys.stderr.isatty()) as bar:
                for ids in outlet_id_batches():
                    summary += recheck_outlets(ids, trigger=Trigger.STAFF, actor=ACTOR, policy=policy)
                    bar.update(len(ids))
        self.stdout.write(
            f"Re-check: {summary.checked} checked, {summary.changed} changed, {summary.suspended} suspended, "
            f"{summary.reinstated} reinstated in {time.monotonic() - started:.1f} s")
