"""Applications to the e-catalog: submission from the public form and review decisions.

submit_application() is the one write path of the public form: one transaction creates or reuses
the company (same NPWP in any format) and the outlet (same domain, or same name under the company),
stores the documents for review (all three through partners.services, as every interface does),
records the application and puts the listing in "applied". A double click or a re-sent page carries
the same submission key and gets the same application.

A known company's record is never changed from the form: what the applicant typed differently waits
as a CompanyChangeProposal for staff. Side effects (the re-check, the receipt, the staff notice, the
decision e-mails) are stored in the same transaction (a pending re-check mark, OutgoingMail rows) and
queued after commit, so a broker or mail server that is down never fails or undoes a saved write.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mediareg.dates import add_months
from mediareg.outbox import queue_mail
from partners import services
from partners.models import Document, DocumentKind, MediaOutlet, PressCompany, PressVerification, ReviewStatus

from . import company_changes, lifecycle
from .models import (
    Application,
    CompanyChangeProposal,
    ListingState,
    RegistrationWindow,
    Trigger,
)
from .renewal import renewal_url_for_outlet
from .selectors import staff_recipients
from .status import belongs_to_outlet

logger = logging.getLogger(__name__)

# An application in these states is decided: no further decision is taken on it.
DECIDED = (Application.Status.APPROVED, Application.Status.REJECTED)
# Who writes a submission, in the audit trail: nobody signs in to the public form.
ACTOR = "public:application"

class ApplicationRefused(ValidationError):
    pass


# --- registration windows ------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowState:
    is_open: bool
    closes_on: object = None
    next_opens_on: object = None


def registration_window(today=None) -> WindowState:
    """Open when no window is set at all, or when today falls inside one (dates inclusive)."""
    today = today or timezone.localdate()
    windows = RegistrationWindow.objects.all()
    if not windows.exists():
        return WindowState(is_open=True)
    current = windows.filter(opens_on__lte=today, closes_on__gte=today).order_by("-closes_on").first()
    if current:
        return WindowState(is_open=True, closes_on=current.closes_on)
    upcoming = windows.filter(opens_on__gt=today).order_by("opens_on").first()
    return WindowState(is_open=False, next_opens_on=upcoming.opens_on if upcoming else None)


# --- submission ----------------------------------------------------------------------------------


def submit_application(form, *, client_ip: str | None = None) -> Application:
    """Store a valid ApplicationForm. Idempotent per submission key.

    Concurrent submissions for one company wait for each other on the company row's lock
    (partners.services.company_register), so the outlet, domain and listing are never created twice.
    """
    data = form.cleaned_data
    existing = Application.objects.filter(submission_key=data["submission_key"]).first()
    if existing:
        return existing
    written: list[str] = []
    try:
        with transaction.atomic(), services.registry_edit(actor=ACTOR, trigger=Trigger.APPLICATION):
            # The first hook at commit: from then on the files belong to committed rows, and nothing run
            # after the commit (the side effects' hooks) can make the cleanup below delete them.
            transaction.on_commit(written.clear)
            application = _store(form, client_ip, written)
    except IntegrityError:
        _discard(written)
        # The same page sent twice at once: the first one stored it, this one finds it.
        existing = Application.objects.filter(submission_key=data["submission_key"]).first()
        if existing is None:
            raise
        return existing
    except BaseException:
        _discard(written)
        raise
    return application


def _discard(names: list[str]) -> None:
    """A rolled-back submission takes its rows back; its files are removed here."""
    storage = Document._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def _store(form, client_ip, written: list[str]) -> Application:
    """The company, the outlet with its website and the documents through the registry's services (the
    same checks as the admin's and the imports'), then the application and its listing."""
    data = form.cleaned_data
    company, created = _company_for(data)
    # A known company's record is not changed from an unauthenticated form, not even its empty fields
    # (anyone who knows an NPWP could set the e-mail its reminders and renewal links go to, or take a
    # NIB another company will need): what differs goes to staff as a proposal (CompanyChangeProposal).
    if created:
        on_record, differences = {}, {}
    else:
        on_record = company_changes.company_values(company)
        differences = company_changes.differences(on_record, data)
    outlet = _outlet_for(company, data)
    if not PressVerification.objects.filter(outlet=outlet).exists():
        services.verification_save(PressVerification(outlet=outlet))  # not verified until staff or the list say so
    # Before any file is written: a refusal rolls the rows back but could not take files back.
    listing = lifecycle.ensure_listing(outlet)
    if listing.state in (ListingState.REJECTED, ListingState.DELISTED):
        try:
            lifecycle.reapply(listing, actor=ACTOR)
        except lifecycle.TransitionRefused as refusal:  # delisted, and the sanction has not ended yet
            raise ApplicationRefused(" ".join(refusal.messages), code="listing_refused") from refusal

    application = Application.objects.create(
        code=secrets.token_urlsafe(12), submission_key=data["submission_key"], company=company, outlet=outlet,
        applicant_email=data["outlet_email"], client_ip=client_ip, language=translation.get_language() or "id",
    )
    documents = services.documents_add(
        Document(**services.document_place(kind, outlet=outlet), kind=kind, **_document_dates(kind, data), file=upload)
        for kind, upload in form.documents())
    written.extend(document.file.name for document in documents)
    application.documents.set(documents)
    if differences:
        CompanyChangeProposal.objects.create(application=application, company=company, proposed=differences,
                                             on_record={field: on_record[field] for field in differences})
    queue_submitted_mails(application)
    return application


def _company_for(data) -> tuple[PressCompany, bool]:
    """The company with this NPWP, locked (concurrent submissions for one company wait for each other),
    or a new one from what was typed."""
    try:
        return services.company_register(
            npwp=data["npwp"], legal_name=data["legal_name"], legal_form=data["legal_form"], nib=data["nib"],
            kbli_codes=data["kbli_codes"], address=data["address"], province=data["province"],
            regency_city=data["regency_city"], email=data["company_email"], phone=data["company_phone"])
    except ValidationError as refusal:
        raise _refused(refusal) from None


def _outlet_for(company: PressCompany, data) -> MediaOutlet:
    """The outlet with this website (refused when it is another company's), else the company's outlet of
    this name, else a new one with the website."""
    try:
        outlet, _created = services.outlet_register(
            company=company, name=data["outlet_name"], media_type=data["media_type"], domain=data["website"],
            person_in_charge=data["person_in_charge"], editor_in_chief=data["editor_in_chief"],
            editor_competency=data["editor_competency"], editor_certificate_no=data["editor_certificate_no"],
            email=data["outlet_email"], phone=data["outlet_phone"])
    except services.DomainTaken as taken:
        # Said to the applicant without naming the other outlet.
        raise ApplicationRefused(
            _("The website %(domain)s is registered to another company's outlet. Contact us if this is wrong.")
            % {"domain": taken.domain}, code="domain_taken") from None
    except ValidationError as refusal:
        raise _refused(refusal) from None
    return outlet


def _refused(refusal: ValidationError) -> ApplicationRefused:
    """A refusal of the registry's services, for the form: its messages, and the code of the first
    (views.REFUSAL_FIELDS puts some beside their field)."""
    errors = ([error for errors in refusal.error_dict.values() for error in errors]
              if hasattr(refusal, "error_dict") else refusal.error_list)
    return ApplicationRefused(" ".join(message for error in errors for message in error.messages),
                              code=errors[0].code)


def _document_dates(kind, data) -> dict:
    """Number and dates the eligibility rules read, from the fields that go with each document."""
    if kind == DocumentKind.ANNUAL_TAX_RETURN:
        return {"tax_year": data["tax_year"]}
    if kind == DocumentKind.KSWP:
        return {"issue_date": data["kswp_date"]}
    if kind == DocumentKind.SKF:
        return {"issue_date": data["skf_date"], "expiry_date": add_months(data["skf_date"], 1)}
    if kind == DocumentKind.PRESS_COUNCIL_CERTIFICATE:
        signed = data["certificate_date"]
        return {"number": data["certificate_number"], "issue_date": signed,
                "expiry_date": PressVerification.compute_valid_until(signed)}
    return {}


# --- documents sent from the status page -----------------------------------------------------------


def send_document(application: Application, *, kind: str, replaces: Document | None, form) -> Document:
    """A document the applicant sends from the status page (views.application_status): the
    replacement of a rejected document of the application, or a document the form left out (the Dewan
    Pers certificate). It is the application's outlet's or its company's (services.document_place),
    goes to review like any other (services.documents_add: content and size checks, the re-check of the
    outlet when the transaction commits) and joins the application, where the status page and the
    review queue show it waiting. The rejected one stays as the record.

    Refused with ApplicationRefused(code="not_replaceable") when what the page offered is no longer so
    (sent twice, or replaced meanwhile), with the model's ValidationError by field for
    the registry's rules. The application's row is locked, so a double click sends one document."""
    written: list[str] = []
    try:
        with transaction.atomic(), services.registry_edit(actor=ACTOR, trigger=Trigger.DOCUMENT_REVIEW):
            transaction.on_commit(written.clear)  # committed: the files are the rows' now (see submit_application)
            application = Application.objects.select_for_update().select_related("outlet").get(pk=application.pk)
            latest = application.documents.filter(kind=kind).order_by("-pk").first()
            # What the page offered must still be so: the rejected document, the outlet's or its
            # company's, is still the latest of its kind; or the application has none of the kind it left out.
            if (latest.pk if latest else None) != (replaces.pk if replaces else None) \
                    or (latest is not None and latest.review_status != ReviewStatus.REJECTED) \
                    or (latest is not None and not belongs_to_outlet(latest, application.outlet)):
                raise ApplicationRefused(_("This document has already been sent."), code="not_replaceable")
            (document,) = services.documents_add([Document(
                **services.document_place(kind, outlet=application.outlet), kind=kind,
                **_document_dates(kind, form.cleaned_data), file=form.cleaned_data["file"])])
            written.append(document.file.name)
            application.documents.add(document)
    except BaseException:
        _discard(written)
        raise
    return document


# --- e-mail --------------------------------------------------------------------------------------


def status_url(application: Application) -> str:
    return settings.SITE_URL + reverse("application-status", args=[application.code])


def applicant_recipients(application: Application) -> list[str]:
    return sorted({e for e in (application.applicant_email, application.company.email) if e})


def queue_submitted_mails(application: Application) -> None:
    """The applicant's receipt with the tracking code and the staff notice, stored with the application
    and sent after commit (mediareg.outbox)."""
    context = {"application": application, "status_url": status_url(application)}
    queue_mail("emails/application_received", context, applicant_recipients(application),
               language=application.language, concerns=application)
    queue_mail("emails/application_staff_notice", {**context, "admin_url": settings.SITE_URL + reverse(
        "admin:catalog_application_change", args=[application.pk])}, staff_recipients(),
        language=settings.LANGUAGE_CODE, concerns=application)


def queue_decision_mail(application: Application) -> None:
    context = {"application": application, "status_url": status_url(application),
               "renewal_url": renewal_url_for_outlet(application.outlet_id)
               if application.status == Application.Status.CHANGES_REQUESTED else None}
    queue_mail("emails/application_decision", context, applicant_recipients(application),
               language=application.language, concerns=application)


# --- review decisions ----------------------------------------------------------------------------


def approve_application(application: Application, *, user) -> Application:
    """List the outlet when it is eligible (lifecycle.approve re-checks); refused with the reasons otherwise.

    Not one transaction: lifecycle.approve commits its fresh check first, so that a refusal keeps it.
    """
    if Application.objects.filter(pk=application.pk, status__in=DECIDED).exists():
        raise ApplicationRefused(_("This application has already been decided."), code="decided")
    listing = lifecycle.ensure_listing(application.outlet)
    if listing.state != ListingState.LISTED:
        lifecycle.approve(listing, user=user)
    with transaction.atomic():
        application = _undecided(application)
        _decide(application, Application.Status.APPROVED, user, "")
    return application


@transaction.atomic
def reject_application(application: Application, *, user, reason: str) -> Application:
    reason = _require_reason(reason)
    application = _undecided(application)
    listing = lifecycle.ensure_listing(application.outlet)
    if listing.state in (ListingState.APPLIED, ListingState.UNDER_REVIEW):
        lifecycle.reject(listing, user=user, reason=reason)
    _decide(application, Application.Status.REJECTED, user, reason)
    return application


@transaction.atomic
def request_changes(application: Application, *, user, reason: str) -> Application:
    reason = _require_reason(reason)
    application = _undecided(application)
    _decide(application, Application.Status.CHANGES_REQUESTED, user, reason)
    return application


def _undecided(application: Application) -> Application:
    """The application, locked; refused when it has already been approved or rejected."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status in DECIDED:
        raise ApplicationRefused(_("This application has already been decided."), code="decided")
    return application


def _decide(application: Application, status: str, user, reason: str) -> None:
    application.status, application.decided_by, application.decided_at = status, user, timezone.now()
    application.decision_reason = reason
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    queue_decision_mail(application)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationRefused(_("Give a reason; it is sent to the applicant."), code="reason_required")
    return reason


@transaction.atomic
def start_review(application: Application, *, user) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.SUBMITTED:
        raise ApplicationRefused(_("Only a submitted application can go under review."), code="not_submitted")
    listing = lifecycle.ensure_listing(application.outlet)
    if listing.state == ListingState.APPLIED:
        lifecycle.start_review(listing, user=user)
    application.status = Application.Status.UNDER_REVIEW
    application.save(update_fields=["status"])
    return application



@transaction.atomic
def reopen_application(application: Application, *, user) -> Application:
    """A rejected application goes back under review (an objection upheld, catalog.objections): the
    listing applies again and its review starts, so staff decide it anew. The rejection stays in the
    audit trail and in the objection."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.REJECTED:
        raise ApplicationRefused(_("Only a rejected application can be reopened."), code="not_rejected")
    listing = lifecycle.ensure_listing(application.outlet)
    if listing.state == ListingState.REJECTED:
        listing = lifecycle.reapply(listing, user=user)
    if listing.state == ListingState.APPLIED:
        lifecycle.start_review(listing, user=user)
    application.status, application.decided_by, application.decided_at = Application.Status.UNDER_REVIEW, None, None
    application.decision_reason = ""
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return application
