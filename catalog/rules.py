"""The e-catalog eligibility rules (docs/domain.md: Dewan Pers verification, legal form, tax status, traffic rank).

Each rule is a plain function of an outlet's facts, the policy and the date, and returns an Outcome:
pass or fail with a reason a person understands. Facts are loaded for many outlets at once
(catalog.facts), so the same functions serve one outlet on an admin click and 50,000 at night.
Reasons are kept as a translatable message and its parameters, and rendered in Indonesian and
English only when a result is stored (render_reason).

"Expired" is judged on the calendar date in Asia/Jakarta: a document whose expiry date is today is
still valid today; an expired, rejected or pending document counts as missing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from mediareg.dates import add_months
from partners.identifiers import normalize_company_npwp
from partners.models import PRESS_LEGAL_FORMS, DocumentKind, LegalForm, MediaType, ReviewStatus, VerificationLevel

from .models import EligibilityPolicy
from .tax_calendar import TaxCalendar

LEVEL_ORDER = {VerificationLevel.NONE: 0, VerificationLevel.ADMINISTRATIVE: 1, VerificationLevel.FACTUAL: 2}


@dataclass(frozen=True)
class DocumentFact:
    kind: str
    status: str
    issue_date: datetime.date | None
    expiry_date: datetime.date | None
    tax_year: int | None = None

    def usable(self, today: datetime.date) -> bool:
        return self.status == ReviewStatus.ACCEPTED and (self.expiry_date is None or self.expiry_date >= today)


@dataclass
class OutletFacts:
    """What the rules know about one outlet; built by catalog.facts.load_facts."""

    outlet_id: int
    media_type: str
    legal_form: str
    npwp: str | None
    has_press_kbli: bool
    verification_level: str = VerificationLevel.NONE
    certificate_valid_until: datetime.date | None = None
    missing_from_list_since: datetime.date | None = None
    company_documents: list[DocumentFact] = field(default_factory=list)
    web_rank: int | None = None
    web_rank_list: str | None = None
    suspended_by_staff: bool = False

    def documents(self, kind: str) -> list[DocumentFact]:
        return [doc for doc in self.company_documents if doc.kind == kind]


@dataclass(frozen=True)
class Outcome:
    code: str
    passed: bool
    message: str
    params: tuple = ()

    def as_json(self) -> dict:
        return {"code": self.code, "passed": self.passed, "reason": render_reason(self.message, dict(self.params))}


def render_reason(message, params: dict) -> dict[str, str]:
    """The reason in both languages, for the result, the history and the API."""
    try:
        key = (_msgid(message), tuple(sorted(params.items())))
        hash(key)
    except TypeError:  # a parameter that cannot be a cache key (a list of problems)
        return _render(message, params)
    # Most outlets share most reasons ("The company's NPWP is valid."); rendering each once per
    # process keeps a 50,000-outlet re-check from switching languages 800,000 times.
    rendered = _RENDERED.get(key)
    if rendered is None:
        if len(_RENDERED) > 50_000:
            _RENDERED.clear()
        rendered = _RENDERED[key] = _render(message, params)
    return dict(rendered)


_RENDERED: dict[tuple, dict[str, str]] = {}


def reason_language() -> str:
    """The language in which to show a stored reason: English in an English session, otherwise
    Indonesian (the site's language, and the one every other language falls back to)."""
    return "en" if (translation.get_language() or "id").startswith("en") else "id"


def reason_text(reason) -> str:
    """A stored reason ({"id": ..., "en": ...}, as render_reason made it) in reason_language(); the
    other language when that one is missing, and plain text as it is."""
    if isinstance(reason, dict):
        return reason.get(reason_language()) or reason.get("id") or reason.get("en") or ""
    return str(reason or "")


def _msgid(message) -> str:
    # A lazy translation is a new object at every call; its message id identifies it.
    args = getattr(message, "_args", None)
    return args[0] if args else str(message)


def _render(message, params: dict) -> dict[str, str]:
    rendered = {}
    for language in ("id", "en"):
        with translation.override(language):
            values = {key: _display(value) for key, value in params.items()}
            rendered[language] = str(message) % values if values else str(message)
    return rendered


def _display(value) -> str:
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j F Y")
    return str(value)


def outcome(code, passed, message, **params) -> Outcome:
    return Outcome(code, passed, message, tuple(sorted(params.items())))


def _missing_reason(docs: list[DocumentFact], today: datetime.date):
    """Why documents of one kind do not count: rejected, expired, pending, or none at all."""
    if any(doc.status == ReviewStatus.ACCEPTED and doc.expiry_date and doc.expiry_date < today for doc in docs):
        return "expired"
    if any(doc.status == ReviewStatus.PENDING for doc in docs):
        return "pending"
    if any(doc.status == ReviewStatus.REJECTED for doc in docs):
        return "rejected"
    return "missing"


STATE_WORDS = {
    "expired": _("has expired"),
    "pending": _("is still pending review"),
    "rejected": _("was rejected"),
    "missing": _("is missing"),
}


# --- the rules -----------------------------------------------------------------------------------


def rule_press_council(facts: OutletFacts, policy: EligibilityPolicy, today: datetime.date) -> Outcome:
    code = "press_council"
    level, minimum = facts.verification_level, policy.min_verification_level
    if LEVEL_ORDER[level] < LEVEL_ORDER[minimum]:
        return outcome(code, False, _("Dewan Pers verification is “%(level)s”; at least “%(minimum)s” is required."),
                       level=VerificationLevel(level).label, minimum=VerificationLevel(minimum).label)
    if facts.missing_from_list_since and LEVEL_ORDER[minimum] > 0:
        grace_ends = facts.missing_from_list_since + datetime.timedelta(days=policy.press_council_grace_days)
        if today > grace_ends:
            return outcome(code, False, _("The outlet has been missing from the Dewan Pers list since %(since)s "
                                          "and the grace period ended on %(until)s."),
                           since=facts.missing_from_list_since, until=grace_ends)
    if minimum == VerificationLevel.FACTUAL:
        if facts.certificate_valid_until is None:
            return outcome(code, False, _("Factually verified, but no Dewan Pers certificate date is recorded."))
        if facts.certificate_valid_until < today:
            return outcome(code, False, _("The Dewan Pers certificate expired on %(date)s."),
                           date=facts.certificate_valid_until)
        return outcome(code, True, _("Verified by Dewan Pers; certificate valid until %(date)s."),
                       date=facts.certificate_valid_until)
    return outcome(code, True, _("Dewan Pers verification “%(level)s” meets the minimum."),
                   level=VerificationLevel(level).label)


def rule_npwp(facts: OutletFacts, policy: EligibilityPolicy, today: datetime.date) -> Outcome:
    code = "npwp"
    if not facts.npwp:
        return outcome(code, False, _("The company's NPWP is not recorded."))
    # The stored value is checked as if typed again: rows older than a check, or written around the
    # forms, get the same verdict the forms give.
    try:
        normalize_company_npwp(facts.npwp)
    except ValidationError as exc:
        if exc.code == "npwp_is_nik":
            return outcome(code, False, _("The company's NPWP is a personal NIK, not a legal entity's NPWP."))
        if exc.code == "npwp_placeholder":
            return outcome(code, False, _("The company's NPWP is the placeholder 00.000.000.0-000.000 of tax "
                                          "invoices, not a real NPWP."))
        return outcome(code, False, _("The company's NPWP is not valid."))
    return outcome(code, True, _("The company's NPWP is valid."))


def rule_legal_form(facts: OutletFacts, policy: EligibilityPolicy, today: datetime.date) -> Outcome:
    code = "legal_form"
    label = LegalForm(facts.legal_form).label
    if facts.legal_form not in PRESS_LEGAL_FORMS:
        return outcome(code, False, _("The legal form “%(form)s” is not accepted for a press company; Dewan Pers "
                                      "accepts a PT (not a PT perorangan), yayasan or koperasi."), form=label)
    return outcome(code, True, _("The company's legal form (%(form)s) is accepted for the press."), form=label)


def rule_tax_status(facts: OutletFacts, policy: EligibilityPolicy, today: datetime.date) -> Outcome:
    """A KSWP that still counts (catalog.tax_calendar), or a tax clearance letter (SKF) within its validity."""
    code = "tax_status"
    tax_calendar = TaxCalendar(policy)
    kswp_from = tax_calendar.kswp_counts_from(today)
    skf_from = add_months(today, -policy.skf_max_age_months)
    kswps, skfs = facts.documents(DocumentKind.KSWP), facts.documents(DocumentKind.SKF)
    current_kswp = [d for d in kswps if d.usable(today) and d.issue_date and kswp_from <= d.issue_date <= today]
    if current_kswp:
        latest = max(d.issue_date for d in current_kswp)
        return outcome(code, True, _("Tax status confirmed (KSWP of %(date)s, counts until %(until)s)."),
                       date=latest, until=tax_calendar.kswp_counts_until(latest))
    current_skf = [d for d in skfs if d.usable(today) and d.issue_date and d.issue_date >= skf_from]
    if current_skf:
        return outcome(code, True, _("Tax clearance letter (SKF) of %(date)s is current."),
                       date=max(d.issue_date for d in current_skf))
    accepted_kswp = [d for d in kswps if d.status == ReviewStatus.ACCEPTED and d.issue_date]
    if accepted_kswp:
        latest = max(d.issue_date for d in accepted_kswp)
        return outcome(code, False, _("The latest accepted KSWP is of %(date)s and counted until %(until)s; a KSWP "
                                      "dated from %(start)s or an SKF not older than %(months)s month(s) is "
                                      "needed."),
                       date=latest, until=tax_calendar.kswp_counts_until(latest), start=kswp_from,
                       months=policy.skf_max_age_months)
    state = _missing_reason(kswps + skfs, today)
    return outcome(code, False, _("The tax status confirmation (KSWP) or tax clearance letter (SKF) %(state)s."),
                   state=STATE_WORDS[state])


def rule_annual_tax_return(facts: OutletFacts, policy: EligibilityPolicy, today: datetime.date) -> Outcome:
    """The return for the latest tax year whose filing deadline has passed, or a newer one."""
    code = "annual_tax_return"
    if not policy.require_annual_tax_return:
        return outcome(code, True, _("Not required by the policy."))
    tax_calendar = TaxCalendar(policy)
    year = tax_calendar.required_return_year(today)
    returns = facts.documents(DocumentKind.ANNUAL_TAX_RETURN)
    counting = [d.tax_year for d in returns if d.usable(today) and d.tax_year and d.tax_year >= year]
    if counting:
        latest = max(counting)
        return outcome(code, True, _("Annual tax return for %(year)s accepted; it counts until %(until)s."),
                       year=latest, until=tax_calendar.return_counts_until(latest))
    state = _missing_reason([d for d in returns if d.tax_year and d.tax_year >= year], today)
    return outcome(code, False, _("The annual tax return (SPT Tahunan) for %(year)s %(state)s."), year=year,
                   state=STATE_WORDS[state])


LEGAL_KINDS = [DocumentKind.DEED, DocumentKind.LAW_MINISTRY_APPROVAL, DocumentKind.NIB]


def rule_legal_documents(facts: OutletFacts, policy: EligibilityPolicy, today: datetime.date) -> Outcome:
    code = "legal_documents"
    problems = []
    for kind in LEGAL_KINDS:
        docs = facts.documents(kind)
        if not any(d.usable(today) for d in docs):
            problems.append(_LazyFormat(_("%(document)s %(state)s"), document=DocumentKind(kind).label,
                                        state=STATE_WORDS[_missing_reason(docs, today)]))
    if not facts.has_press_kbli:
        problems.append(_("no press business code (KBLI 58130, 63122, 63912, 60202 or 60102) is recorded"))
    if problems:
        return outcome(code, False, _("Legal documents incomplete: %(problems)s."),
                       problems=_LazyJoin(problems))
    return outcome(code, True, _("Deed, Ministry of Law approval, NIB and a press business code are in order."))


def rule_web_rank(facts: OutletFacts, policy: EligibilityPolicy, today: datetime.date) -> Outcome:
    code = "web_rank"
    if not policy.web_rank_rule_enabled:
        return outcome(code, True, _("Not applied: the web rank rule is switched off."))
    if facts.media_type != MediaType.ONLINE:
        return outcome(code, True, _("Not applied to print, television or radio."))
    if facts.web_rank_list is None:
        return outcome(code, False, _("No web rank list has been imported yet."))
    if facts.web_rank is None:
        return outcome(code, False, _("Not ranked in list %(list)s; rank %(limit)s or better is required."),
                       list=facts.web_rank_list, limit=f"{policy.web_rank_threshold:,}".replace(",", "."))
    if facts.web_rank > policy.web_rank_threshold:
        return outcome(code, False, _("Ranked %(rank)s in list %(list)s; rank %(limit)s or better is required."),
                       rank=f"{facts.web_rank:,}".replace(",", "."), list=facts.web_rank_list,
                       limit=f"{policy.web_rank_threshold:,}".replace(",", "."))
    return outcome(code, True, _("Ranked %(rank)s in list %(list)s."),
                   rank=f"{facts.web_rank:,}".replace(",", "."), list=facts.web_rank_list)


def rule_not_suspended_by_staff(facts: OutletFacts, policy: EligibilityPolicy, today: datetime.date) -> Outcome:
    code = "not_suspended_by_staff"
    if facts.suspended_by_staff:
        return outcome(code, False, _("Suspended, delisted or revoked by staff."))
    return outcome(code, True, _("Not under a staff suspension or sanction."))


RULES = [
    rule_press_council,
    rule_npwp,
    rule_legal_form,
    rule_tax_status,
    rule_annual_tax_return,
    rule_legal_documents,
    rule_web_rank,
    rule_not_suspended_by_staff,
]

RULE_TITLES = {
    "press_council": _("Dewan Pers verification"),
    "npwp": _("Company NPWP"),
    "legal_form": _("Legal form"),
    "tax_status": _("Current tax status (KSWP or SKF)"),
    "annual_tax_return": _("Annual tax return"),
    "legal_documents": _("Legal documents and press business code"),
    "web_rank": _("Web traffic rank"),
    "not_suspended_by_staff": _("No staff suspension"),
}


def evaluate(facts: OutletFacts, policy: EligibilityPolicy, today: datetime.date) -> list[Outcome]:
    return [rule(facts, policy, today) for rule in RULES]


# --- helpers -------------------------------------------------------------------------------------


class _LazyJoin:
    """Joins translatable parts in the language active when it is rendered."""

    def __init__(self, parts):
        self.parts = tuple(parts)

    def __str__(self):
        return "; ".join(str(part) for part in self.parts)

    def _key(self):
        return tuple(part._key() if isinstance(part, _LazyFormat) else _msgid(part) for part in self.parts)

    def __eq__(self, other):
        return isinstance(other, _LazyJoin) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())


class _LazyFormat:
    def __init__(self, message, **params):
        self.message, self.params = message, params

    def __str__(self):
        return str(self.message) % {key: str(value) for key, value in self.params.items()}

    def _key(self):
        return _msgid(self.message), tuple(sorted((key, _msgid(value)) for key, value in self.params.items()))

