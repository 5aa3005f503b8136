"""E-mail that must go out once: expiry reminders to outlets, and the daily summary to staff.

Expiry reminders
    30, 14 and 7 days before a document expires (EligibilityPolicy.reminder_days) its owner's
    contacts get one reminder per threshold. A run that missed days sends only the smallest threshold
    that is due (12 days left and nothing sent: the 14-day reminder, not also the 30-day one).

Once only, even when the job runs twice at the same time or its worker dies and the task runs again:

1. Claim, set-based: one query selects every document that is due together with its threshold
   (a CASE in SQL), one INSERT ... ON CONFLICT DO NOTHING per thousand adds the missing
   ExpiryReminder rows. The unique (document, expiry date, threshold) key means a second run claims
   nothing new. Claims are committed before anything is sent.
2. Send, one reminder at a time: lock its row with SELECT ... FOR UPDATE SKIP LOCKED inside a
   transaction, check it is still unsent, send the mail, set ``sent_at``, commit. A concurrent run
   skips a row another run holds; a row committed as sent is never sent again.

   The one remaining window: the mail left but the commit was lost (the worker died, or the
   database went away, between the SMTP "250 OK" and COMMIT). The row is still unsent, so the
   retried task sends that one reminder a second time. That is at-least-once for a window of
   milliseconds per reminder, never a loop: the next commit ends it. No mail protocol lets us do
   better than that without the receiving side deduplicating.

The daily staff summary claims its day the same way (StaffSummary.day is unique). It runs after
midnight for the day before, and covers every suspension since the end of the previous summary that
was sent: days are never cut short (23:45 to midnight used to fall between two summaries), and a
night the job did not run is caught up by the next one. See send_staff_summary.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, Max, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation

from mediareg.mail import MAIL_ERRORS, render_mail, unique_addresses
from partners.models import Document, DocumentKind, MediaOutlet, ReviewStatus

from .models import (
    EligibilityPolicy,
    ExpiryReminder,
    KswpWindow,
    ListingState,
    ListingTransition,
    StaffSummary,
    TaxYearNotice,
)
from .renewal import renewal_url_for_document
from .selectors import STAFF_GROUP, staff_recipients
from .tax_calendar import TaxCalendar, may_count_on, on_year, with_counts_until

logger = logging.getLogger(__name__)

# After this many failures in a row the mail server is taken to be down: the rest waits for the retry.
MAX_CONSECUTIVE_FAILURES = 3
CLAIM_BATCH_SIZE = 1000
REMINDED_STATUSES = (ReviewStatus.ACCEPTED, ReviewStatus.PENDING)
TAX_CALENDAR_KINDS = (DocumentKind.KSWP, DocumentKind.ANNUAL_TAX_RETURN)
# The staff summary lists this many outlets; a larger day (a rule changed) says how many more.
SUMMARY_MAX_LINES = 200

Progress = Callable[[Iterable, int], Iterable]


def _no_progress(iterable: Iterable, total: int) -> Iterable:
    return iterable


class RemindersNotSent(Exception):
    """Some due reminders could not be sent (mail server errors); the task retries for those."""


# --- expiry reminders ------------------------------------------------------------------------------


@dataclass
class ReminderSummary:
    sent: int = 0
    already_sent: int = 0
    without_address: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self):
        line = (f"Expiry reminders: {self.sent} sent, {self.already_sent} already sent, "
                f"{self.without_address} without address")
        return line + (f", {self.failed} not sent because of mail errors" if self.failed else "")


def due_threshold(days_left: int, thresholds: Iterable[int]) -> int | None:
    """The smallest threshold that has been reached: 12 days left with 30,14,7 → 14."""
    reached = [days for days in thresholds if days_left <= days]
    return min(reached) if reached else None


def due_documents(today: datetime.date, thresholds: list[int], policy: EligibilityPolicy):
    """Documents due for a reminder today, each annotated with the day it stops counting
    (``counts_until``) and its threshold ``due``; one query.

    A document stops counting on its expiry date, or for a KSWP and an annual tax return on the day
    the tax calendar gives (catalog.tax_calendar): their owners are told in good time too.
    Accepted or pending, still counting today (a document expiring today is still valid today), and not
    already replaced: a newer accepted or pending document of the same kind and owner that counts
    longer means the owner has renewed, so reminding them would be noise.
    """
    horizon = today + datetime.timedelta(days=max(thresholds))
    renewed = with_counts_until(Document.objects.filter(
        company_id=OuterRef("company_id"), kind=OuterRef("kind"), review_status__in=REMINDED_STATUSES,
    ), policy).filter(counts_until__gt=OuterRef("counts_until")).annotate(
        owner_outlet=Coalesce("outlet_id", Value(0))).filter(owner_outlet=Coalesce(OuterRef("outlet_id"), Value(0)))
    threshold = Case(
        *(When(counts_until__lte=today + datetime.timedelta(days=days), then=Value(days))
          for days in sorted(thresholds)),
        output_field=IntegerField(),
    )
    candidates = Document.objects.filter(may_count_on(today, horizon, policy), review_status__in=REMINDED_STATUSES)
    return (
        with_counts_until(candidates, policy)
        .filter(counts_until__gte=today, counts_until__lte=horizon)
        .filter(Q(kind=DocumentKind.OTHER) | ~Exists(renewed))
        .annotate(due=threshold)
    )


def send_expiry_reminders(today: datetime.date | None = None, *, progress: Progress = _no_progress,
                          policy: EligibilityPolicy | None = None) -> ReminderSummary:
    """Claim the reminders due today and send those not sent yet. Safe to run any number of times."""
    today = today or timezone.localdate()
    policy = policy or EligibilityPolicy.load()
    due = {(pk, until, days) for pk, until, days in
           due_documents(today, policy.reminder_day_list, policy).values_list("pk", "counts_until", "due")}
    ExpiryReminder.objects.bulk_create(
        [ExpiryReminder(document_id=pk, expiry_date=expiry, days_before=days) for pk, expiry, days in due],
        batch_size=CLAIM_BATCH_SIZE, ignore_conflicts=True)

    summary = ReminderSummary()
    unsent: list[ExpiryReminder] = []
    # Rows of earlier days (other thresholds, a replaced expiry date) are not due today: ignored.
    rows = ExpiryReminder.objects.filter(document_id__in=[key[0] for key in due]).only(
        "pk", "document_id", "expiry_date", "days_before", "sent_at")
    for row in rows:
        if (row.document_id, row.expiry_date, row.days_before) not in due:
            continue
        if row.sent_at is None:
            unsent.append(row)
        else:
            summary.already_sent += 1
    if not unsent:
        return summary

    documents = Document.objects.select_related("company", "outlet").in_bulk([row.document_id for row in unsent])
    outlet_emails = _outlet_emails_by_company(
        {doc.company_id for doc in documents.values() if doc.outlet_id is None})
    mailer = _Mailer()
    try:
        for reminder in progress(sorted(unsent, key=lambda r: (r.expiry_date, r.document_id)), len(unsent)):
            document = documents.get(reminder.document_id)
            if document is None:  # deleted meanwhile (its reminder rows went with it)
                continue
            recipients = reminder_recipients(document, outlet_emails)
            if not recipients:
                summary.without_address += 1
                continue
            if mailer.consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
                summary.failed += 1
                continue
            try:
                outcome = _send_one(reminder, document, recipients, today, mailer, policy)
            except MAIL_ERRORS:
                logger.exception("expiry reminder %s (document %s) not sent", reminder.pk, document.pk)
                mailer.failed()
                summary.failed += 1
                continue
            mailer.succeeded()
            if outcome:
                summary.sent += 1
            else:
                summary.already_sent += 1
    finally:
        mailer.close()
    return summary


def _send_one(reminder: ExpiryReminder, document: Document, recipients: list[str], today, mailer: _Mailer,
              policy: EligibilityPolicy) -> bool:
    """Send one reminder under its row lock; False when another run has it or has already sent it."""
    return _send_claimed(ExpiryReminder, reminder.pk, recipients, mailer, lambda: reminder_message(
        document, recipients, today, reminder.days_before, reminder.expiry_date, policy))


def _send_claimed(model, pk: int, recipients: list[str], mailer: _Mailer, message) -> bool:
    """Send the e-mail of one claimed row (a reminder, a notice) under the row's lock, once."""
    with transaction.atomic():
        claim = model.objects.select_for_update(skip_locked=True).filter(pk=pk, sent_at__isnull=True).first()
        if claim is None:
            return False
        mailer.send(message())
        # Window: the mail is gone; if this commit is lost the retry sends it once more (module doc).
        claim.sent_at = timezone.now()
        claim.recipients = "\n".join(recipients)
        claim.save(update_fields=["sent_at", "recipients"])
    return True


def reminder_recipients(document: Document, outlet_emails: dict[int, list[str]]) -> list[str]:
    """An outlet document goes to the outlet; a company document to the company and all its outlets."""
    if document.outlet_id:
        addresses = [document.outlet.email]
    else:
        addresses = [document.company.email, *outlet_emails.get(document.company_id, [])]
    return unique_addresses(addresses)


def _outlet_emails_by_company(company_ids: set[int]) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = defaultdict(list)
    if company_ids:
        rows = (MediaOutlet.objects.filter(company_id__in=company_ids).exclude(email="")
                .order_by("company_id", "name").values_list("company_id", "email"))
        for company_id, email in rows:
            emails[company_id].append(email)
    return emails


def _in_language(language: str, func, *args):
    with translation.override(language):
        return str(func(*args))


def reminder_message(document: Document, recipients: list[str], today: datetime.date, days_before: int,
                     counts_until: datetime.date | None = None,
                     policy: EligibilityPolicy | None = None) -> EmailMessage:
    """The reminder for one document. ``counts_until`` is the day it stops counting: its expiry date,
    or the tax calendar's day for a KSWP or an annual tax return (which then asks for the next one)."""
    counts_until = counts_until or document.expiry_date
    days_left = (counts_until - today).days
    tax_calendar = TaxCalendar(policy or EligibilityPolicy.load())
    context = {
        "document": document,
        "number": document.number,
        "kind_id": _in_language("id", document.get_kind_display),
        "kind_en": _in_language("en", document.get_kind_display),
        "owner_name": str(document.owner),
        "company_name": document.company.legal_name,
        "is_outlet_document": bool(document.outlet_id),
        "expiry_id": _in_language("id", formats.date_format, counts_until, "j F Y"),
        "expiry_en": _in_language("en", formats.date_format, counts_until, "j F Y"),
        "days_left": days_left,
        "days_before": days_before,
        "renewal_url": renewal_url_for_document(document),
        # A KSWP or a return does not expire: it stops counting, and the next one is needed.
        "tax_document": document.kind if document.kind in TAX_CALENDAR_KINDS else "",
        "kswp_year": counts_until.year if tax_calendar.policy.kswp_window != KswpWindow.DAYS else None,
        "next_tax_year": (document.tax_year or 0) + 1,
    }
    return _message("emails/expiry_reminder", context, recipients)


def _message(template: str, context: dict, recipients: list[str]) -> EmailMessage:
    subject, body = render_mail(template, context)  # one-line subject, nothing HTML-escaped
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients)


class _Mailer:
    """One connection to the mail server for a run, opened again after a failure."""

    def __init__(self):
        self.connection = None
        self.consecutive_failures = 0

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = get_connection()
        message.connection = self.connection
        message.send()

    def failed(self) -> None:
        self.consecutive_failures += 1
        self.close()

    def succeeded(self) -> None:
        self.consecutive_failures = 0

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                connection.close()
            except MAIL_ERRORS:
                logger.warning("closing the mail connection failed", exc_info=True)


# --- the year-end tax notice -----------------------------------------------------------------------

# Companies with an outlet in these states hear about the coming tax year.
CATALOG_STATES = (ListingState.LISTED, ListingState.SUSPENDED, ListingState.APPLIED, ListingState.UNDER_REVIEW)


@dataclass
class NoticeSummary:
    year: int | None = None
    sent: int = 0
    already_sent: int = 0
    without_address: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self):
        if self.year is None:
            return "Year-end tax notices: not due today"
        line = (f"Year-end tax notices for {self.year}: {self.sent} sent, {self.already_sent} already sent, "
                f"{self.without_address} without address")
        return line + (f", {self.failed} not sent because of mail errors" if self.failed else "")


def tax_notice_due(today: datetime.date, policy: EligibilityPolicy) -> int | None:
    """The coming year, from the policy's notice day until 31 December; None on other days."""
    if today >= on_year(today.year, policy.tax_notice_month, policy.tax_notice_day):
        return today.year + 1
    return None


def send_tax_year_notices(today: datetime.date | None = None, *, policy: EligibilityPolicy | None = None,
                          progress: Progress = _no_progress) -> NoticeSummary:
    """In December, tell each company in the catalog once which KSWP and annual tax return the new
    year needs and by when, so that nobody drops out of the catalog on 1 April or 1 May for want of a
    document they could have sent. Claimed and sent like the expiry reminders; safe to run any time."""
    today = today or timezone.localdate()
    policy = policy or EligibilityPolicy.load()
    year = tax_notice_due(today, policy)
    summary = NoticeSummary(year=year)
    if year is None:
        return summary
    companies = (MediaOutlet.objects.filter(listing__state__in=CATALOG_STATES).order_by()
                 .values_list("company_id", flat=True).distinct())
    TaxYearNotice.objects.bulk_create([TaxYearNotice(company_id=pk, year=year) for pk in companies],
                                      batch_size=CLAIM_BATCH_SIZE, ignore_conflicts=True)
    summary.already_sent = TaxYearNotice.objects.filter(year=year, sent_at__isnull=False).count()
    unsent = list(TaxYearNotice.objects.filter(year=year, sent_at__isnull=True).select_related("company")
                  .order_by("company__legal_name", "pk"))
    if not unsent:
        return summary
    company_ids = {notice.company_id for notice in unsent}
    outlet_emails = _outlet_emails_by_company(company_ids)
    latest = _latest_tax_documents(company_ids)
    mailer = _Mailer()
    try:
        for notice in progress(unsent, len(unsent)):
            company = notice.company
            recipients = unique_addresses([company.email, *outlet_emails.get(company.pk, [])])
            if not recipients:
                summary.without_address += 1
                continue
            if mailer.consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
                summary.failed += 1
                continue
            try:
                message = tax_notice_message(company, latest.get(company.pk, {}), year, recipients, policy)
                sent = _send_claimed(TaxYearNotice, notice.pk, recipients, mailer, lambda message=message: message)
            except MAIL_ERRORS:
                logger.exception("year-end tax notice %s (company %s) not sent", notice.pk, company.pk)
                mailer.failed()
                summary.failed += 1
                continue
            mailer.succeeded()
            if sent:
                summary.sent += 1
            else:
                summary.already_sent += 1
    finally:
        mailer.close()
    return summary


def _latest_tax_documents(company_ids: set[int]) -> dict[int, dict]:
    """Per company, the date of its latest accepted KSWP and the latest tax year of an accepted return
    (two grouped queries whatever the number of companies)."""
    latest: dict[int, dict] = defaultdict(dict)
    accepted = Document.objects.filter(company_id__in=company_ids, outlet__isnull=True,
                                       review_status=ReviewStatus.ACCEPTED).order_by()
    for company_id, day in (accepted.filter(kind=DocumentKind.KSWP, issue_date__isnull=False)
                            .values("company_id").annotate(latest=Max("issue_date"))
                            .values_list("company_id", "latest")):
        latest[company_id]["kswp"] = day
    for company_id, year in (accepted.filter(kind=DocumentKind.ANNUAL_TAX_RETURN, tax_year__isnull=False)
                             .values("company_id").annotate(latest=Max("tax_year"))
                             .values_list("company_id", "latest")):
        latest[company_id]["tax_return"] = year
    return latest


def tax_notice_message(company, latest: dict, year: int, recipients: list[str],
                       policy: EligibilityPolicy) -> EmailMessage:
    tax_calendar = TaxCalendar(policy)
    fiscal_year = policy.kswp_window != KswpWindow.DAYS
    return_year = year - 1  # the return filed in the coming year
    deadline = tax_calendar.return_deadline(return_year)
    kswp = latest.get("kswp")
    context = {
        "company_name": company.legal_name,
        "year": year,
        "fiscal_year_kswp": fiscal_year,
        "kswp_grace": tax_calendar.kswp_grace_date(year),
        "latest_kswp": kswp,
        "latest_kswp_until": tax_calendar.kswp_counts_until(kswp) if kswp else None,
        "require_return": policy.require_annual_tax_return,
        "return_year": return_year,
        "return_deadline": deadline,
        "latest_return": latest.get("tax_return"),
        "skf_months": policy.skf_max_age_months,
    }
    for language in ("id", "en"):
        for key in ("kswp_grace", "latest_kswp", "latest_kswp_until", "return_deadline"):
            value = context[key]
            context[f"{key}_{language}"] = _in_language(language, formats.date_format, value, "j F Y") if value else ""
    return _message("emails/tax_year_notice", context, recipients)


# --- daily summary to staff ------------------------------------------------------------------------


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
            "day_id": _in_language("id", formats.date_format, day, "l, j F Y"),
            "day_en": _in_language("en", formats.date_format, day, "l, j F Y"),
            "whole_day": start == day_start,
            "since_id": _in_language("id", formats.date_format, since, "j F Y H:i"),
            "since_en": _in_language("en", formats.date_format, since, "j F Y H:i"),
            "count": len(suspended),
            "transitions": suspended[:SUMMARY_MAX_LINES],
            "more": max(0, len(suspended) - SUMMARY_MAX_LINES),
        }
        _message("emails/staff_summary", context, recipients).send()
        # Same window as a reminder: a lost commit after the mail left means one more mail on retry.
        summary.sent_at, summary.outlet_count = timezone.now(), len(suspended)
        summary.save(update_fields=["sent_at", "outlet_count", "period_start", "period_end"])
    return StaffSummaryResult(day=day, status="sent", outlets=len(suspended), recipients=len(recipients))
