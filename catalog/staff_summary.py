"""The daily summary to staff: the outlets suspended since the previous summary, at most one e-mail a day.

It claims its day like a reminder (StaffSummary.day is unique; catalog.reminders explains the claim).
It runs after midnight for the day before, and covers every suspension since the end of the previous
summary that was sent: days are never cut short (23:45 to midnight used to fall between two
summaries), and a night the job did not run is caught up by the next one. See send_staff_summary.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import formats, timezone

from .mailing import in_language, plain_message
from .models import EligibilityPolicy, ListingState, ListingTransition, StaffSummary
from .selectors import STAFF_GROUP, staff_recipients

logger = logging.getLogger(__name__)

# The summary lists this many outlets; a larger day (a rule changed) says how many more.
SUMMARY_MAX_LINES = 200


@dataclass
class StaffSummaryResult:
    day: datetime.date
    # "sent", "nothing" (no outlet suspended), "no recipients", "already done", "day not over"
    status: str
    outlets: int = 0
    recipients: int = 0

    def as_dict(self) -> dict:
        return {**asdict(self), "day": self.day.isoformat()}


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The day from midnight to midnight in Asia/Jakarta, as aware datetimes."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def suspensions_between(start: datetime.datetime, end: datetime.datetime) -> list[ListingTransition]:
    """The last suspension of each outlet suspended in [start, end) (automatic, by staff or by sanction)."""
    transitions = (ListingTransition.objects.filter(to_state=ListingState.SUSPENDED, created_at__gte=start,
                                                    created_at__lt=end)
                   .select_related("listing__outlet__company").order_by("created_at", "pk"))
    latest = {t.listing.outlet_id: t for t in transitions}
    return sorted(latest.values(), key=lambda t: (t.listing.outlet.name.lower(), t.listing.outlet_id))


def send_staff_summary(day: datetime.date | None = None, *, policy: EligibilityPolicy | None = None
                       ) -> StaffSummaryResult:
    """The summary up to the end of ``day`` (default: yesterday), at most one e-mail per day.

    It covers from where the previous sent summary ended (or, with none, from the start of the first
    day claimed) to the midnight after ``day``: no suspension falls between two summaries or into two of them, and
    a day the job missed, or whose summary found nobody to send to, is in the next one. A day is
    summarised only once it is over. The day is claimed like a reminder (StaffSummary.day is unique); a
    period without suspensions is recorded too (``outlet_count`` 0, no mail), so a rerun does nothing.
    ``sent_at`` is the time the period was dealt with."""
    today = timezone.localdate()
    day = day or today - datetime.timedelta(days=1)
    if day >= today:
        return StaffSummaryResult(day=day, status="day not over")
    policy = policy or EligibilityPolicy.load()
    day_start, end = day_bounds(day)
    StaffSummary.objects.bulk_create([StaffSummary(day=day)], ignore_conflicts=True)
    with transaction.atomic():
        summary = StaffSummary.objects.select_for_update(skip_locked=True).filter(
            day=day, sent_at__isnull=True).first()
        sent = StaffSummary.objects.filter(sent_at__isnull=False, period_end__isnull=False)
        if summary is None or sent.filter(period_end__gte=end).exists():
            return StaffSummaryResult(day=day, status="already done")
        start = sent.order_by("-period_end").values_list("period_end", flat=True).first()
        if start is None:  # the first summary: from its day, or from an earlier one nobody received
            first_day = StaffSummary.objects.filter(day__lt=day).order_by("day").values_list("day", flat=True).first()
            start = day_bounds(first_day)[0] if first_day else day_start
        suspended = suspensions_between(start, end)
        summary.period_start, summary.period_end = start, end
        if not suspended:
            summary.sent_at, summary.outlet_count = timezone.now(), 0
            summary.save(update_fields=["sent_at", "outlet_count", "period_start", "period_end"])
            return StaffSummaryResult(day=day, status="nothing")
        recipients = staff_recipients(policy)
        if not recipients:
            # Left unsent: a rerun sends it once someone is configured to receive it, or the next day's
            # summary covers these suspensions too.
            logger.warning("staff summary for %s: %d outlets suspended but nobody to tell (no addresses in "
                           "the policy, no active %s user with an e-mail)", day, len(suspended), STAFF_GROUP)
            return StaffSummaryResult(day=day, status="no recipients", outlets=len(suspended))
        since = timezone.localtime(start)
        context = {
            "day_id": in_language("id", formats.date_format, day, "l, j F Y"),
            "day_en": in_language("en", formats.date_format, day, "l, j F Y"),
            "whole_day": start == day_start,
            "since_id": in_language("id", formats.date_format, since, "j F Y H:i"),
            "since_en": in_language("en", formats.date_format, since, "j F Y H:i"),
            "count": len(suspended),
            "transitions": suspended[:SUMMARY_MAX_LINES],
            "more": max(0, len(suspended) - SUMMARY_MAX_LINES),
        }
        plain_message("emails/staff_summary", context, recipients).send()
        # Same window as a reminder: a lost commit after the mail left means one more mail on retry.
        summary.sent_at, summary.outlet_count = timezone.now(), len(suspended)
        summary.save(update_fields=["sent_at", "outlet_count", "period_start", "period_end"])
    return StaffSummaryResult(day=day, status="sent", outlets=len(suspended), recipients=len(recipients))
