"""The tax calendar the eligibility rules, the reminders and the status page share.

Two tax documents count for a limited time that follows the calendar, not an expiry date printed on
them (docs/domain.md, "Tax status"):

- **KSWP** (tax status confirmation). In fiscal-year mode a KSWP counts in the year it is dated, and
  last year's keeps counting into the new year until the policy's grace date (default 31 March), so
  that nobody is cut off on 1 January before they could possibly obtain a new one. In days mode it
  counts for the policy's number of days from its date.
- **SPT Tahunan** (annual tax return). A company files the return for a tax year by the filing
  deadline of the next year (default 30 April; UU KUP art. 3(3)(b)). The return required on a date
  is the one for the latest tax year whose deadline has passed; so until 30 April the return of two
  years back still counts, and a newer return always counts.

Every function takes the date as a parameter: the registry must be correct on every day of the
year, 1 January and 31 December included.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Case, DateField, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, ExtractYear, Least

from partners.models import DocumentKind

from .models import EligibilityPolicy, KswpWindow


def on_year(year: int, month: int, day: int) -> datetime.date:
    """``month``/``day`` in ``year``; 29 February becomes 28 February in a common year."""
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class TaxCalendar:
    policy: EligibilityPolicy

    # --- KSWP ------------------------------------------------------------------------------------
    def kswp_grace_date(self, year: int) -> datetime.date:
        """The last day on which a KSWP dated in ``year - 1`` still counts (fiscal-year mode)."""
        return on_year(year, self.policy.kswp_grace_month, self.policy.kswp_grace_day)

    def kswp_counts_from(self, today: datetime.date) -> datetime.date:
        """The earliest KSWP date that counts on ``today``."""
        if self.policy.kswp_window == KswpWindow.DAYS:
            return today - datetime.timedelta(days=self.policy.kswp_window_days)
        if today <= self.kswp_grace_date(today.year):
            return datetime.date(today.year - 1, 1, 1)
        return datetime.date(today.year, 1, 1)

    def kswp_counts_until(self, issue_date: datetime.date) -> datetime.date:
        """The last day on which a KSWP of ``issue_date`` counts."""
        if self.policy.kswp_window == KswpWindow.DAYS:
            return issue_date + datetime.timedelta(days=self.policy.kswp_window_days)
        return self.kswp_grace_date(issue_date.year + 1)

    # --- annual tax return -----------------------------------------------------------------------
    def return_deadline(self, tax_year: int) -> datetime.date:
        """The last day to file the return for ``tax_year`` (in the following year)."""
        return on_year(tax_year + 1, self.policy.tax_return_deadline_month, self.policy.tax_return_deadline_day)

    def required_return_year(self, today: datetime.date) -> int:
        """The latest tax year whose filing deadline has passed by ``today`` (the deadline day itself
        is still inside the filing period)."""
        last_year = today.year - 1
        return last_year if today > self.return_deadline(last_year) else last_year - 1

    def return_counts_until(self, tax_year: int) -> datetime.date:
        """A return counts until the deadline of the next year's return has passed."""
        return self.return_deadline(tax_year + 1)

    # --- both ------------------------------------------------------------------------------------
    def counts_until(self, kind: str, *, issue_date: datetime.date | None, tax_year: int | None,
                     expiry_date: datetime.date | None) -> datetime.date | None:
        """The last day a document counts for the rules: the calendar's limit for a KSWP or a return,
        the expiry date for everything else (None: no limit)."""
        limit = None
        if kind == DocumentKind.KSWP and issue_date:
            limit = self.kswp_counts_until(issue_date)
        elif kind == DocumentKind.ANNUAL_TAX_RETURN and tax_year:
            limit = self.return_counts_until(tax_year)
        if expiry_date and (limit is None or expiry_date < limit):
            return expiry_date
        return limit


# --- the same limits in SQL, for jobs that select among many documents ---------------------------------


class MakeDate(Func):
    function = "make_date"
    output_field = DateField()


def with_counts_until(documents: QuerySet, policy: EligibilityPolicy) -> QuerySet:
    """Annotate ``counts_until``: TaxCalendar.counts_until computed by the database, so that a job can
    select the documents that stop counting on a day without loading them all. (PostgreSQL's LEAST
    ignores NULLs: the earlier of the expiry date and the calendar's limit, or whichever exists.)"""
    if policy.kswp_window == KswpWindow.DAYS:
        kswp_limit = Cast(F("issue_date") + datetime.timedelta(days=policy.kswp_window_days), DateField())
    else:
        kswp_limit = MakeDate(Cast(ExtractYear("issue_date"), IntegerField()) + 1, Value(policy.kswp_grace_month),
                              Value(policy.kswp_grace_day))
    return_limit = MakeDate(F("tax_year") + 2, Value(policy.tax_return_deadline_month),
                            Value(policy.tax_return_deadline_day))
    limit = Case(
        When(kind=DocumentKind.KSWP, issue_date__isnull=False, then=kswp_limit),
        When(kind=DocumentKind.ANNUAL_TAX_RETURN, tax_year__isnull=False, then=return_limit),
        default=Value(None), output_field=DateField(),
    )
    return documents.annotate(counts_until=Least(F("expiry_date"), limit))


def may_count_on(today: datetime.date, horizon: datetime.date, policy: EligibilityPolicy) -> Q:
    """A cheap superset of the documents whose ``counts_until`` lies in [today, horizon]: documents
    expiring then, and KSWPs and returns recent enough to count at all (the expiry date is indexed)."""
    kswp_from = min(datetime.date(today.year - 1, 1, 1), today - datetime.timedelta(days=policy.kswp_window_days))
    return (Q(expiry_date__gte=today, expiry_date__lte=horizon)
            | Q(kind=DocumentKind.KSWP, issue_date__gte=kswp_from)
            | Q(kind=DocumentKind.ANNUAL_TAX_RETURN, tax_year__gte=today.year - 2))
