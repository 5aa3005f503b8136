"""What the applicant's status page (catalog.views.application_status) shows: the application's
documents with the rejected ones to replace, the eligibility rules the outlet does not meet yet, the one
requirement the form lets an applicant leave out although the outlet can never become eligible without
it, and the dates by which something must be renewed to stay in the catalog."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partners.models import Document, DocumentKind, ReviewStatus, VerificationLevel
from partners.selectors import outlet_documents

from .facts import load_facts
from .models import EligibilityPolicy, KswpWindow
from .rules import RULE_TITLES, evaluate, reason_text
from .tax_calendar import TaxCalendar

# How far ahead the status page looks for documents that expire (the tax documents are always shown).
DEADLINE_HORIZON_DAYS = 90


@dataclass
class DocumentRow:
    """One kind of document of the application: the latest sent, and the rejected ones it replaced
    (the newest first)."""

    document: Document
    replaced: list[Document] = field(default_factory=list)
    form: object = None  # the replacement upload the page offers for it (catalog.views)

    @property
    def is_rejected(self) -> bool:
        return self.document.review_status == ReviewStatus.REJECTED

    @property
    def is_pending(self) -> bool:
        return self.document.review_status == ReviewStatus.PENDING


def application_documents(application) -> list[DocumentRow]:
    """The application's documents, one row per kind in the order of the form: a document sent from the
    status page (catalog.applications.send_document) joins the application and takes the place of the
    one of its kind it replaces. One query."""
    rows: dict[str, DocumentRow] = {}
    for document in application.documents.order_by("pk"):
        earlier = rows.get(document.kind)
        # Reassigning keeps the kind's place in the dict: the order stays the form's.
        rows[document.kind] = DocumentRow(document, [earlier.document, *earlier.replaced] if earlier else [])
    return list(rows.values())


def belongs_to_outlet(document: Document, outlet) -> bool:
    """The outlet's own document or its company's: what its status page may take a replacement for."""
    return document.company_id == outlet.company_id and document.outlet_id in (None, outlet.pk)


@dataclass(frozen=True)
class VerificationGap:
    """The outlet is not factually verified by Dewan Pers and the policy admits no other: the form's
    certificate field is optional (outlets apply before Dewan Pers has come, and other offices accept
    administrative verification), but without it the outlet can never become eligible here."""

    certificate: Document | None  # the latest certificate the application carries, if any


def verification_gap(outlet, rows: list[DocumentRow], policy: EligibilityPolicy) -> VerificationGap | None:
    """None unless the policy requires factual verification (catalog.rules.rule_press_council) and the
    outlet's recorded level is below it. An expired certificate is not such a gap: the deadlines and the
    failing rules say to renew it."""
    if policy.min_verification_level != VerificationLevel.FACTUAL:
        return None
    try:
        level = outlet.verification.level
    except ObjectDoesNotExist:
        level = VerificationLevel.NONE
    if level == VerificationLevel.FACTUAL:
        return None
    certificate = next((row.document for row in rows if row.document.kind == DocumentKind.PRESS_COUNCIL_CERTIFICATE),
                       None)
    return VerificationGap(certificate=certificate)


def missing_requirements(outlet, today: datetime.date | None = None,
                         policy: EligibilityPolicy | None = None) -> list[dict]:
    """Evaluated now, without writing anything: the failing rules' codes, titles and reasons in the
    active language."""
    policy = policy or EligibilityPolicy.load()
    facts = load_facts([outlet.pk], policy).get(outlet.pk)
    if facts is None:
        return []
    return [{"code": o.code, "title": RULE_TITLES[o.code], "reason": reason_text(o.as_json()["reason"])}
            for o in evaluate(facts, policy, today or timezone.localdate()) if not o.passed]


@dataclass(frozen=True)
class Deadline:
    day: datetime.date
    text: str


def upcoming_deadlines(outlet, today: datetime.date | None = None,
                       policy: EligibilityPolicy | None = None) -> list[Deadline]:
    """By when the outlet must send what, to stay eligible: the day its KSWP and annual tax return stop
    counting (with the document that is needed next), and documents that expire soon. One query."""
    today = today or timezone.localdate()
    policy = policy or EligibilityPolicy.load()
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
