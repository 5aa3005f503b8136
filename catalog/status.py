"""What an applicant sees of the eligibility rules: the ones their outlet does not meet yet, and the
dates by which something must be renewed to stay in the catalog."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partners.models import DocumentKind, ReviewStatus
from partners.selectors import outlet_documents

from .facts import load_facts
from .models import EligibilityPolicy, KswpWindow
from .rules import RULE_TITLES, evaluate, reason_text
from .tax_calendar import TaxCalendar

# How far ahead the status page looks for documents that expire (the tax documents are always shown).
DEADLINE_HORIZON_DAYS = 90


def missing_requirements(outlet, today: datetime.date | None = None) -> list[dict]:
    """Evaluated now, without writing anything: the failing rules' titles and reasons in the active language."""
    policy = EligibilityPolicy.load()
    facts = load_facts([outlet.pk], policy).get(outlet.pk)
    if facts is None:
        return []
    return [{"title": RULE_TITLES[o.code], "reason": reason_text(o.as_json()["reason"])}
            for o in evaluate(facts, policy, today or timezone.localdate()) if not o.passed]


@dataclass(frozen=True)
class Deadline:
    day: datetime.date
    text: str


def upcoming_deadlines(outlet, today: datetime.date | None = None) -> list[Deadline]:
    """By when the outlet must send what, to stay eligible: the day its KSWP and annual tax return stop
    counting (with the document that is needed next), and documents that expire soon. One query."""
    today = today or timezone.localdate()
    policy = EligibilityPolicy.load()
    tax_calendar = TaxCalendar(policy)
    documents = list(outlet_documents(outlet.pk, outlet.company_id).filter(review_status=ReviewStatus.ACCEPTED)
                     .only("kind", "issue_date", "expiry_date", "tax_year"))
    deadlines = []
    kswps = [d for d in documents if d.kind == DocumentKind.KSWP and d.issue_date
             and tax_calendar.kswp_counts_from(today) <= d.issue_date <= today]
    if kswps:
        latest = max(d.issue_date for d in kswps)
        until = tax_calendar.kswp_counts_until(latest)
        if policy.kswp_window == KswpWindow.FISCAL_YEAR:
            text = _("Your KSWP of %(date)s counts until %(until)s: send a KSWP dated %(year)s (or a current SKF) "
                     "by then.") % {"date": _day(latest), "until": _day(until), "year": until.year}
        else:
            text = _("Your KSWP of %(date)s counts until %(until)s: send a newer one (or a current SKF) by then.") % {
                "date": _day(latest), "until": _day(until)}
        deadlines.append(Deadline(until, text))
    if policy.require_annual_tax_return:
        required = tax_calendar.required_return_year(today)
        years = [d.tax_year for d in documents if d.kind == DocumentKind.ANNUAL_TAX_RETURN and d.tax_year
                 and d.tax_year >= required and (d.expiry_date is None or d.expiry_date >= today)]
        if years:
            latest_year = max(years)
            until = tax_calendar.return_counts_until(latest_year)
            deadlines.append(Deadline(until, _(
                "Your annual tax return for %(year)s counts until %(until)s: the return for %(next)s is due by then; "
                "send us its receipt.") % {"year": latest_year, "until": _day(until), "next": latest_year + 1}))
    horizon = today + datetime.timedelta(days=DEADLINE_HORIZON_DAYS)
    for document in documents:
        if document.kind not in (DocumentKind.KSWP, DocumentKind.ANNUAL_TAX_RETURN) and document.expiry_date \
                and today <= document.expiry_date <= horizon:
            deadlines.append(Deadline(document.expiry_date, _("%(document)s expires on %(date)s: send a new one "
                                                              "by then.") % {
                "document": document.get_kind_display(), "date": _day(document.expiry_date)}))
    return sorted(deadlines, key=lambda deadline: deadline.day)


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")
