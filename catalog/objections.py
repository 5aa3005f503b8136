"""Objections (masa sanggah, docs/domain.md "Objection window"): an applicant whose application was
rejected, or an outlet that staff suspended or delisted, files one objection to that decision, with a
statement and files, within the objection period; staff uphold it (the decision is taken back through
the usual services) or dismiss it, with a reason.

The period (``objection_period``, a pure rule): the objection days of the registration window the
decision belongs to (the window in which the application was submitted), when that window sets them and
the decision came no later than their last day; otherwise, and always for listing decisions, which belong
to no window, from the decision's day until the policy's ``objection_days`` later (Asia/Jakarta dates,
both days included).

Who objects signs in nowhere: the status page's address (application code) or the renewal link is the
key, as for sending documents. Side effects are queued on commit: staff hear of a new objection, the
objector of the decision.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mediareg.audit import audit_context
from mediareg.outbox import queue_mail
from partners.models import MediaOutlet
from partners.uploads import check_document_file

from . import applications, lifecycle
from .models import (
    Application,
    EligibilityPolicy,
    Listing,
    ListingTransition,
    Objection,
    ObjectionFile,
    ObjectionStatus,
    RegistrationWindow,
    decision_label,
)
from .renewal import renewal_url_for_outlet
from .selectors import staff_recipients
from .transitions import STAFF_REMOVALS, latest_move

# Who files an objection, in the audit trail: nobody signs in to the public pages.
ACTOR = "public:objection"
MAX_FILES = 3
STATEMENT_MAX_CHARS = 5000


class ObjectionRefused(ValidationError):
    pass


# --- the period (a pure rule) -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    opens_on: datetime.date
    deadline: datetime.date

    def is_open(self, today: datetime.date) -> bool:
        return self.opens_on <= today <= self.deadline

    def days_left(self, today: datetime.date) -> int:
        """Days after today still in the period (0 on its last day); negative once it is over."""
        return (self.deadline - today).days


def objection_period(decided_on: datetime.date, window: RegistrationWindow | None, default_days: int) -> Period:
    """When a decision taken on ``decided_on`` may be objected to. The window's objection days when it
    sets them and the decision is not later than their end (a decision taken during them opens the
    period on its own day); else the decision's day and ``default_days`` after it."""
    if window is not None and window.has_objection_days and decided_on <= window.objection_closes_on:
        return Period(max(window.objection_opens_on, decided_on), window.objection_closes_on)
    return Period(decided_on, decided_on + datetime.timedelta(days=default_days))


# --- decisions that may be objected to ----------------------------------------------------------


@dataclass
class Decision:
    """A decision that may be objected to, its period, and the objection filed to it (if any)."""

    outlet: MediaOutlet
    decided_at: datetime.datetime
    period: Period
    application: Application | None = None
    transition: ListingTransition | None = None
    objection: Objection | None = None

    @property
    def reason(self) -> str:
        """The reason staff gave for the decision (kept with the objection once one is filed)."""
        if self.objection is not None:
            return self.objection.objected_reason
        return self.application.decision_reason if self.application is not None else self.transition.reason

    @property
    def label(self) -> str:
        return decision_label(None if self.application is not None else self.transition.action)

    def refusal(self, today: datetime.date) -> ObjectionRefused | None:
        """Why an objection cannot be filed today (one per decision, within the period), else None."""
        if self.objection is not None:
            return ObjectionRefused(_("An objection to this decision was already filed on %(date)s; only one is "
                                      "accepted.") % {"date": _day(timezone.localdate(self.objection.filed_at))},
                                    code="already_filed")
        if today < self.period.opens_on:
            return ObjectionRefused(_("Objections to this decision can be filed from %(start)s to %(end)s.") % {
                "start": _day(self.period.opens_on), "end": _day(self.period.deadline)}, code="not_yet_open")
        if today > self.period.deadline:
            return ObjectionRefused(_("The objection period for this decision ended on %(end)s.") % {
                "end": _day(self.period.deadline)}, code="period_over")
        return None


def window_of(application: Application) -> RegistrationWindow | None:
    """The registration window the application was submitted in (the latest closing, if they overlap)."""
    day = timezone.localdate(application.submitted_at)
    return (RegistrationWindow.objects.filter(opens_on__lte=day, closes_on__gte=day)
            .order_by("-closes_on", "-pk").first())


def application_decision(application: Application, policy: EligibilityPolicy | None = None) -> Decision | None:
    """The application's rejection, when it is rejected; None otherwise."""
    if application.status != Application.Status.REJECTED or application.decided_at is None:
        existing = Objection.objects.filter(application=application).first()
        if existing is None:
            return None
        # Upheld and reopened: the decision objected to is the one the objection recorded.
        return Decision(outlet=application.outlet, decided_at=existing.decision_at, application=application,
                        period=Period(existing.opens_on, existing.deadline), objection=existing)
    policy = policy or EligibilityPolicy.load()
    objection = Objection.objects.filter(application=application).first()
    period = (Period(objection.opens_on, objection.deadline) if objection else
              objection_period(timezone.localdate(application.decided_at), window_of(application),
                               policy.objection_days))
    return Decision(outlet=application.outlet, decided_at=application.decided_at, period=period,
                    application=application, objection=objection)


def listing_decision(outlet: MediaOutlet, policy: EligibilityPolicy | None = None) -> Decision | None:
    """The staff decision that took the outlet out of the catalog and still stands (the listing's latest
    move, by a member of staff, a suspension, delisting or revocation); None otherwise. Automatic changes
    (lost eligibility, the end of a sanction period) are the rules' and are not objected to."""
    listing = Listing.objects.filter(outlet=outlet).first()
    moved = latest_move(listing) if listing is not None else None
    if moved is None or moved.action not in STAFF_REMOVALS or moved.actor_id is None:
        return None
    policy = policy or EligibilityPolicy.load()
    objection = Objection.objects.filter(transition=moved).first()
    period = (Period(objection.opens_on, objection.deadline) if objection else
              objection_period(timezone.localdate(moved.created_at), None, policy.objection_days))
    return Decision(outlet=outlet, decided_at=moved.created_at, period=period, transition=moved, objection=objection)


# --- filing -----------------------------------------------------------------------------------------


def check_files(files) -> list:
    """The files' checks (partners.uploads: content, type and size, as for documents), at most MAX_FILES;
    the checked facts of each."""
    files = [upload for upload in files if upload]
    if len(files) > MAX_FILES:
        raise ObjectionRefused(_("Send at most %(n)d files.") % {"n": MAX_FILES}, code="too_many_files")
    # A file the form already checked (catalog.forms.DocumentField keeps the result) is not read again.
    return [getattr(upload, "checked", None) or check_document_file(upload) for upload in files]


def file_objection(decision: Decision, *, statement: str, files=(), client_ip: str | None = None,
                   language: str = "id", today: datetime.date | None = None, actor: str = ACTOR) -> Objection:
    """File the objection to ``decision``: refused (ObjectionRefused) without a statement, outside the
    period, or when one was already filed; a file that fails the document checks is refused with the
    check's ValidationError. The decision's row is locked (the application, or the listing), so a page
    sent twice files one objection; the one-to-one keys are the backstop. ``actor`` names the writer in the
    audit trail (the public pages' by default; the demo its own)."""
    statement = (statement or "").strip()
    if not statement:
        raise ObjectionRefused(_("Write your statement: what is wrong with the decision, and why."),
                               code="statement_required")
    if len(statement) > STATEMENT_MAX_CHARS:
        raise ObjectionRefused(_("Keep the statement under %(n)d characters; send the rest as files.")
                               % {"n": STATEMENT_MAX_CHARS}, code="statement_too_long")
    files = [upload for upload in files if upload]
    checked = check_files(files)
    today = today or timezone.localdate()
    written: list[str] = []
    try:
        with transaction.atomic(), audit_context(actor=actor):
            transaction.on_commit(written.clear)  # committed: the files are the rows' now
            decision = _locked_decision(decision)
            refusal = decision.refusal(today)
            if refusal is not None:
                raise refusal
            try:
                with transaction.atomic():
                    objection = Objection.objects.create(
                        application=decision.application, transition=decision.transition, outlet=decision.outlet,
                        decision_at=decision.decided_at, objected_reason=decision.reason, statement=statement,
                        filed_at=timezone.now(),
                        opens_on=decision.period.opens_on, deadline=decision.period.deadline,
                        language=language, client_ip=client_ip)
            except IntegrityError:
                raise ObjectionRefused(_("An objection to this decision was already filed; only one is accepted."),
                                       code="already_filed") from None
            for upload, facts in zip(files, checked, strict=True):
                stored = ObjectionFile(objection=objection, original_filename=facts.original_filename,
                                       content_type=facts.content_type, size=facts.size)
                stored.file.save(f"objection{facts.extension}", upload, save=False)
                written.append(stored.file.name)
                stored.save()
            _queue_filed_mail(objection)
    except BaseException:
        _discard(written)
        raise
    return objection


def _locked_decision(decision: Decision) -> Decision:
    """The decision as it stands now, its row locked: the application, or the outlet's listing."""
    if decision.application is not None:
        application = Application.objects.select_for_update().select_related("outlet").get(pk=decision.application.pk)
        fresh = application_decision(application)
    else:
        Listing.objects.select_for_update().filter(outlet=decision.outlet).first()
        fresh = listing_decision(decision.outlet)
        if fresh is not None and fresh.transition.pk != decision.transition.pk:
            fresh = None
    if fresh is None:
        raise ObjectionRefused(_("This decision no longer stands; there is nothing to object to."),
                               code="no_decision")
    return fresh


def _discard(names: list[str]) -> None:
    storage = ObjectionFile._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


# --- deciding ---------------------------------------------------------------------------------------


def decide_objection(objection: Objection, *, user, uphold: bool, reason: str) -> Objection:
    """Uphold or dismiss a waiting objection, with a reason sent to the objector. Upheld, the decision is
    taken back through its own services: a rejected application goes back under review
    (catalog.applications.reopen_application); a staff suspension is lifted, any other removal taken back
    (catalog.lifecycle), the outlet then re-checked. Refused when already decided or when the decision
    can no longer be taken back (the listing has moved on since)."""
    reason = (reason or "").strip()
    if not reason:
        raise ObjectionRefused(_("Give a reason; it is sent to the objector."), code="reason_required")
    with transaction.atomic():
        objection = Objection.objects.select_for_update(of=("self",)).select_related(
            "application", "transition__listing", "outlet__company").get(pk=objection.pk)
        if not objection.is_waiting:
            raise ObjectionRefused(_("This objection has already been decided."), code="decided")
        if uphold:
            _take_back(objection, user=user, reason=reason)
        objection.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
        objection.decided_at, objection.decided_by, objection.decision_reason = timezone.now(), user, reason
        objection.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        _queue_decision_mail(objection)
    return objection


def _take_back(objection: Objection, *, user, reason: str) -> None:
    if objection.application is not None:
        applications.reopen_application(objection.application, user=user)
        return
    decision = objection.transition
    listing = decision.listing
    moved = latest_move(listing)
    if moved is None or moved.pk != decision.pk:
        raise ObjectionRefused(_("The outlet's listing has changed since the decision: it can no longer be taken "
                                 "back here; decide the listing itself."), code="decision_superseded")
    stored_reason = _("Objection upheld: %(reason)s") % {"reason": reason}
    if decision.action == "suspend":
        # The check above is a courtesy; the one that counts is made with the listing locked.
        lifecycle.lift_suspension(listing, user=user, reason=stored_reason, decision=decision)
    else:
        lifecycle.overturn(listing, user=user, decision=decision, reason=stored_reason)


# --- e-mail ---------------------------------------------------------------------------------------


def objector_recipients(objection: Objection) -> list[str]:
    if objection.application_id:
        return applications.applicant_recipients(objection.application)
    outlet = objection.outlet
    return sorted({e for e in (outlet.email, outlet.company.email) if e})


def public_url(objection: Objection) -> str:
    """The page where the objector follows the objection: the status page, or the renewal page."""
    if objection.application_id:
        return applications.status_url(objection.application)
    return renewal_url_for_outlet(objection.outlet_id)


def _queue_filed_mail(objection: Objection) -> None:
    queue_mail("emails/objection_staff_notice", {
        "objection": objection, "outlet": objection.outlet,
        "admin_url": settings.SITE_URL + reverse("admin:catalog_objection_change", args=[objection.pk])},
        staff_recipients(), language=settings.LANGUAGE_CODE, concerns=objection)


def _queue_decision_mail(objection: Objection) -> None:
    queue_mail("emails/objection_decision", {"objection": objection, "outlet": objection.outlet,
                                             "page_url": public_url(objection)},
               objector_recipients(objection), language=objection.language, concerns=objection)


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def earlier_listing_objections(outlet: MediaOutlet, current: Decision | None) -> list[Objection]:
    """The outlet's objections to listing decisions other than the current one (decided or not), newest
    first, for the renewal page. One query."""
    found = Objection.objects.filter(outlet=outlet, transition__isnull=False).select_related("transition")
    if current is not None and current.objection is not None:
        found = found.exclude(pk=current.objection.pk)
    return list(found.order_by("-filed_at", "-pk"))
