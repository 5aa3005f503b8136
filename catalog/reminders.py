"""E-mail that must go out once: expiry reminders and the year-end tax notice to outlets.

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

The year-end tax notice is claimed per company and year and sent the same way (catalog.mailing sends
claimed rows for both), and the daily staff summary claims its day (catalog.staff_summary).
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.db.models import Case, Exists, IntegerField, Max, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import formats, timezone

from mediareg.mail import unique_addresses
from partners.models import Document, DocumentKind, MediaOutlet, ReviewStatus
from partners.selectors import documents_not_rejected

from .mailing import Claim, SendCounts, in_language, plain_message, send_claims
from .models import (
    EligibilityPolicy,
    ExpiryReminder,
    KswpWindow,
    ListingState,
    TaxYearNotice,
)
from .renewal import renewal_url_for_document
from .tax_calendar import TaxCalendar, may_count_on, on_year, with_counts_until

CLAIM_BATCH_SIZE = 1000
TAX_CALENDAR_KINDS = (DocumentKind.KSWP, DocumentKind.ANNUAL_TAX_RETURN)

Progress = Callable[[Iterable, int], Iterable]


def _no_progress(iterable: Iterable, total: int) -> Iterable:
    return iterable


class RemindersNotSent(Exception):
    """Some due reminders could not be sent (mail server errors); the task retries for those."""


# --- expiry reminders ------------------------------------------------------------------------------


@dataclass
class ReminderSummary(SendCounts):
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
    renewed = with_counts_until(documents_not_rejected(Document.objects.filter(
        company_id=OuterRef("company_id"), kind=OuterRef("kind"),
    )), policy).filter(counts_until__gt=OuterRef("counts_until")).annotate(
        owner_outlet=Coalesce("outlet_id", Value(0))).filter(owner_outlet=Coalesce(OuterRef("outlet_id"), Value(0)))
    threshold = Case(
        *(When(counts_until__lte=today + datetime.timedelta(days=days), then=Value(days))
          for days in sorted(thresholds)),
        output_field=IntegerField(),
    )
    candidates = documents_not_rejected().filter(may_count_on(today, horizon, policy))
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

    def claims():
        for reminder in progress(sorted(unsent, key=lambda r: (r.expiry_date, r.document_id)), len(unsent)):
            document = documents.get(reminder.document_id)
            if document is None:  # deleted meanwhile (its reminder rows went with it)
                continue
            recipients = reminder_recipients(document, outlet_emails)
            yield Claim(reminder.pk, recipients, functools.partial(
                reminder_message, document, recipients, today, reminder.days_before, reminder.expiry_date, policy),
                f"expiry reminder {reminder.pk} (document {document.pk})")

    send_claims(ExpiryReminder, claims(), summary)
    return summary


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
        "kind_id": in_language("id", document.get_kind_display),
        "kind_en": in_language("en", document.get_kind_display),
        "owner_name": str(document.owner),
        "company_name": document.company.legal_name,
        "is_outlet_document": bool(document.outlet_id),
        "expiry_id": in_language("id", formats.date_format, counts_until, "j F Y"),
        "expiry_en": in_language("en", formats.date_format, counts_until, "j F Y"),
        "days_left": days_left,
        "days_before": days_before,
        "renewal_url": renewal_url_for_document(document),
        # A KSWP or a return does not expire: it stops counting, and the next one is needed.
        "tax_document": document.kind if document.kind in TAX_CALENDAR_KINDS else "",
        "kswp_year": counts_until.year if tax_calendar.policy.kswp_window != KswpWindow.DAYS else None,
        "next_tax_year": (document.tax_year or 0) + 1,
    }
    return plain_message("emails/expiry_reminder", context, recipients)






# --- the year-end tax notice -----------------------------------------------------------------------

# Companies with an outlet in these states hear about the coming tax year.
CATALOG_STATES = (ListingState.LISTED, ListingState.SUSPENDED, ListingState.APPLIED, ListingState.UNDER_REVIEW)


@dataclass
class NoticeSummary(SendCounts):
    year: int | None = None

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
    claims = (Claim(notice.pk, recipients, functools.partial(
        tax_notice_message, notice.company, latest.get(notice.company_id, {}), year, recipients, policy),
        f"year-end tax notice {notice.pk} (company {notice.company_id})")
        for notice in progress(unsent, len(unsent))
        for recipients in [unique_addresses([notice.company.email, *outlet_emails.get(notice.company_id, [])])])
    send_claims(TaxYearNotice, claims, summary)
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
            context[f"{key}_{language}"] = in_language(language, formats.date_format, value, "j F Y") if value else ""
    return plain_message("emails/tax_year_notice", context, recipients)


