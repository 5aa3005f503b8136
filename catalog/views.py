"""Public pages: the application form, the application's status, and the renewal upload page."""

from __future__ import annotations

import ipaddress
import logging
import re

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from mediareg.access import record_access
from mediareg.cache import CACHE_ERRORS
from mediareg.models import DataAccess
from partners.models import DocumentKind, ReviewStatus
from partners.views import _attachment, _refuse_unless_permitted

from . import applications, objections
from .forms import ApplicationForm, ObjectionForm, RenewalForm, ReplacementForm, issue_submission_key
from .models import Application, EligibilityPolicy, ObjectionFile, ObjectionStatus
from .renewal import documents_to_renew, outlet_for_renewal, read_renewal_token, store_renewal
from .selectors import review_time
from .status import (
    application_documents,
    belongs_to_outlet,
    missing_requirements,
    upcoming_deadlines,
    verification_gap,
)

logger = logging.getLogger(__name__)



def client_address(request) -> str:
    # The visitor's address: behind one of TRUSTED_PROXIES, mediareg.middleware.ClientAddressMiddleware has
    # already put the address from X-Forwarded-For here (gunicorn itself always gives the proxy's).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def stored_address(request) -> str | None:
    """The client's address for the record, or None when REMOTE_ADDR is not an IP address (a unix socket)."""
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


def over_rate_limit(request) -> bool:
    """Submissions per client address per hour, counted atomically in the shared cache (Redis).

    Fails open: with the cache down, an application is worth more than the limit (CSRF, the honeypot
    and the size limits still hold), so the submission goes on and the outage is logged.
    """
    key = f"mediareg:apply-rate:{client_address(request)}"
    try:
        cache.add(key, 0, settings.APPLY_RATE_WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add() and incr(): this is the first of a new one
            cache.set(key, 1, settings.APPLY_RATE_WINDOW_SECONDS)
            count = 1
    except CACHE_ERRORS:
        logger.warning("rate limit not applied: the cache is unreachable", exc_info=True)
        return False
    return count > settings.APPLY_RATE_LIMIT


# Refusals of a valid form, shown beside the field they concern (the others above the form).
REFUSAL_FIELDS = {"domain_taken": "website", "nib_taken": "nib"}
TRACKING_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    window = applications.registration_window()
    context = {"window": window, "max_file": filesizeformat(settings.DOCUMENT_MAX_BYTES),
               "max_total": filesizeformat(settings.APPLICATION_MAX_BYTES)}
    if not window.is_open:
        return render(request, "apply/closed.html", context)
    if request.method == "GET":
        form = ApplicationForm(initial={"submission_key": issue_submission_key()})
        return render(request, "apply/form.html", {**context, "form": form})

    if over_rate_limit(request):
        return render(request, "apply/refused.html", {"reason": "rate"}, status=429)
    form = ApplicationForm(request.POST, request.FILES)
    if form.is_robot:
        return render(request, "apply/refused.html", {"reason": "robot"}, status=400)
    if form.is_valid():
        try:
            application = applications.submit_application(form, client_ip=stored_address(request))
        except applications.ApplicationRefused as refusal:
            form.add_error(REFUSAL_FIELDS.get(refusal.code), refusal)
        else:
            return redirect("application-status", code=application.code)
    return render(request, "apply/form.html", {**context, "form": form,
                                               "files_to_choose_again": form.files_to_choose_again()}, status=400)


def _application(code: str) -> Application | None:
    if not TRACKING_CODE.fullmatch(code):  # e.g. a NUL character, which PostgreSQL refuses to compare
        return None
    return Application.objects.select_related("outlet__verification", "outlet__listing", "company").filter(
        code=code).first()


def _unknown_code(request, code: str | None):
    """A friendly page for a code we do not know (a 404 all the same): the advice to check it, and a box
    to type it again. Without a code (None), the box alone. What was typed is shown only when it has
    the shape of a code."""
    shown = code if code and TRACKING_CODE.fullmatch(code) else ""
    return render(request, "apply/status_unknown.html", {"code": shown, "looked_up": code is not None},
                  status=200 if code is None else 404)


@never_cache
@require_http_methods(["GET"])
def status_lookup(request):
    """/apply/status/?code=...: the box of the unknown-code page leads to the code's page."""
    code = request.GET.get("code", "").strip()
    if not code:
        return _unknown_code(request, None)
    if TRACKING_CODE.fullmatch(code):
        return redirect("application-status", code=code)
    return _unknown_code(request, code)


def _uploads_offered(application: Application, rows, gap) -> dict[str, tuple[str, object]]:
    """What the page lets the applicant send, by form prefix: a replacement for each rejected document
    of the outlet or its company (not once the application is rejected: a new application is the way
    then; nor for a document the application carries of another company), and the Dewan Pers
    certificate when the outlet can never be eligible without it and the application carries none."""
    if application.status == Application.Status.REJECTED:
        return {}
    outlet = application.outlet
    offered = {f"doc-{row.document.pk}": (row.document.kind, row.document) for row in rows
               if row.is_rejected and belongs_to_outlet(row.document, outlet)}
    if gap is not None and gap.certificate is None:
        offered["certificate"] = (DocumentKind.PRESS_COUNCIL_CERTIFICATE, None)
    return offered


def _receive_document(request, application: Application, rows, offered, forms):
    """A document posted to the status page: (the response, None) when it is stored or cannot be taken,
    else (None, the form with its errors) for the page to show again."""
    if over_rate_limit(request):
        return render(request, "apply/refused.html", {"reason": "rate"}, status=429), None
    page = reverse("application-status", args=[application.code])
    prefix = request.POST.get("send", "")
    if prefix not in offered:
        # Sent twice, or replaced meanwhile: the page shows where that document stands. Anything else
        # (a document of another application or company) is not this page's to take.
        answered = {str(d.pk) for row in rows for d in row.replaced + ([] if row.is_rejected else [row.document])}
        if prefix.startswith("doc-") and prefix.removeprefix("doc-") in answered:
            messages.info(request, _("That document has already been sent; it is shown below."))
            return redirect(page + "#documents"), None
        return render(request, "apply/refused.html", {"reason": "not_offered"}, status=400), None
    kind, replaces = offered[prefix]
    form = forms[prefix] = ReplacementForm(kind, request.POST, request.FILES, prefix=prefix,
                                           replacing=replaces is not None)
    if not form.is_valid():
        return None, form
    try:
        document = applications.send_document(application, kind=kind, replaces=replaces, form=form)
    except applications.ApplicationRefused:  # the same document sent twice at once: the first one won
        messages.info(request, _("That document has already been sent; it is shown below."))
        return redirect(page + "#documents"), None
    except ValidationError as refused:  # the registry's rules for documents, beside their fields
        for name, errors in getattr(refused, "error_dict", {None: refused.error_list}).items():
            form.add_error(name if name in form.fields else None, errors)
        return None, form
    messages.success(request, _("Thank you: %(document)s was received and waits for review.") % {
        "document": document.get_kind_display()})
    return redirect(page + f"#document-{document.pk}"), None


@never_cache
@require_http_methods(["GET", "POST"])
def application_status(request, code: str):
    """The applicant's page: its address, with the tracking code, is the key (as a renewal link is), so
    whoever has it may see the application and send documents for it, nothing more."""
    application = _application(code)
    if application is None:
        return _unknown_code(request, code)
    today = timezone.localdate()
    policy = EligibilityPolicy.load()
    rows = application_documents(application)
    gap = verification_gap(application.outlet, rows, policy)
    offered = _uploads_offered(application, rows, gap)
    forms = {prefix: ReplacementForm(kind, prefix=prefix, replacing=replaces is not None)
             for prefix, (kind, replaces) in offered.items()}
    decision = objections.application_decision(application, policy)
    status, refused_form, objection_form = 200, None, None
    if request.method == "POST" and request.POST.get("send") == OBJECTION_PREFIX:
        response, objection_form = _receive_objection(request, decision, page=reverse(
            "application-status", args=[application.code]))
        if response is not None:
            return response
        status = 400
    elif request.method == "POST":
        response, refused_form = _receive_document(request, application, rows, offered, forms)
        if response is not None:
            return response
        status = 400
    for row in rows:
        row.form = forms.get(f"doc-{row.document.pk}")
    missing = missing_requirements(application.outlet, today, policy)
    return render(request, "apply/status.html", {
        "application": application,
        "rows": rows,
        "certificate_form": forms.get("certificate"),
        "refused_form": refused_form,
        "rejected": [row for row in rows if row.is_rejected],
        "pending": [row for row in rows if row.is_pending],
        "missing": missing,
        "gap": gap,
        "deadlines": upcoming_deadlines(application.outlet, today, policy),
        "review_time": review_time(),
        "status_url": request.build_absolute_uri(reverse("application-status", args=[application.code])),
        "max_file": filesizeformat(settings.DOCUMENT_MAX_BYTES),
        "Status": Application.Status,
        "ReviewStatus": ReviewStatus,
        **_objection_context(decision, objection_form, today),
    }, status=status)


OBJECTION_PREFIX = "objection"


def _objection_context(decision, form, today) -> dict:
    """The objection part of a public page (templates/apply/includes/objection.html): the decision, its
    period, the objection filed (with its decision, by "staff": names are not public) and the form while
    one may be filed."""
    if decision is None:
        return {"decision": None}
    refusal = decision.refusal(today)
    if decision.objection is not None:
        # Filed already: the page shows it; a page sent again is told why nothing more was filed.
        notice = " ".join(form.non_field_errors()) if form is not None else ""
        return {"decision": decision, "objection_form": None, "objection_notice": notice,
                "ObjectionStatus": ObjectionStatus}
    if form is None and refusal is None:
        form = ObjectionForm(prefix=OBJECTION_PREFIX)
    return {"decision": decision, "objection_form": form, "objection_notice": refusal.message if refusal else "",
            "days_left": decision.period.days_left(today), "ObjectionStatus": ObjectionStatus}

def _receive_objection(request, decision, *, page: str):
    """An objection posted to the status or renewal page: (the response, None) when it is filed or cannot
    be taken, else (None, the form with its errors)."""
    if over_rate_limit(request):
        return render(request, "apply/refused.html", {"reason": "rate"}, status=429), None
    if decision is None:
        return render(request, "apply/refused.html", {"reason": "not_offered"}, status=400), None
    form = ObjectionForm(request.POST, request.FILES, prefix=OBJECTION_PREFIX)
    if not form.is_valid():
        return None, form
    try:
        objections.file_objection(decision, statement=form.cleaned_data["statement"], files=form.uploads(),
                                  client_ip=stored_address(request), language=translation.get_language() or "id")
    except ValidationError as refused:  # out of the period, filed twice, a file refused
        form.add_error(None, refused)
        return None, form
    messages.success(request, _("Your objection was received. Staff decide it with a reason; the decision is "
                                "e-mailed to you and shown on this page."))
    return redirect(page + "#objection"), None


def outlet_of_renewal_link(request, token: str):
    """``(outlet, None)`` for a sound renewal link, else ``(None, the page that says what is wrong with it)``
    (expired 410, invalid 400); an outlet that no longer exists is a 404. The renewal page and the outlet's
    price list (budgets.price_list) read their links this way."""
    try:
        outlet_id = read_renewal_token(token)
    except signing.SignatureExpired:
        return None, render(request, "apply/link_problem.html", {"problem": "expired"}, status=410)
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        return None, render(request, "apply/link_problem.html", {"problem": "invalid"}, status=400)
    outlet = outlet_for_renewal(outlet_id)
    if outlet is None:
        raise Http404
    return outlet, None


@never_cache
@require_http_methods(["GET", "POST"])
def renewal(request, token: str):
    outlet, problem = outlet_of_renewal_link(request, token)
    if problem is not None:
        return problem
    today = timezone.localdate()
    decision = objections.listing_decision(outlet)
    objection_form = None
    if request.method == "POST" and request.POST.get("send") == OBJECTION_PREFIX:
        response, objection_form = _receive_objection(request, decision, page=request.path)
        if response is not None:
            return response
        form, status = RenewalForm(), 400
    elif request.method == "POST":
        if over_rate_limit(request):
            return render(request, "apply/refused.html", {"reason": "rate"}, status=429)
        form = RenewalForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                stored = store_renewal(outlet, form)
            except ValidationError as refusal:  # the registry's rules for documents, beside their fields
                for field, errors in refusal.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return render(request, "apply/renewal_done.html", {"outlet": outlet, "documents": stored})
        status = 400
    else:
        form, status = RenewalForm(), 200
    return render(request, "apply/renewal.html", {
        "outlet": outlet, "form": form, "expiring": documents_to_renew(outlet, today),
        "earlier_objections": objections.earlier_listing_objections(outlet, decision),
        **_objection_context(decision, objection_form, today),
        "max_file": filesizeformat(settings.DOCUMENT_MAX_BYTES),
        "files_to_choose_again": form.files_to_choose_again() if form.is_bound else [],
    }, status=status)


@require_safe
def objection_file(request, pk: int):
    """A file sent with an objection: like a document's (partners.views), only for staff who may download
    documents, with no-store and nosniff, and written to the data access log."""
    refused = _refuse_unless_permitted(request, pk)
    if refused:
        return refused
    stored = get_object_or_404(ObjectionFile, pk=pk)
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this objection is missing from storage.") from exc
    logger.info("objection file downloaded: user=%s file=%s", request.user.pk, pk)
    record_access(kind=DataAccess.Kind.DOCUMENT_DOWNLOAD, name=f"objection-file:{pk}", user=request.user,
                  filters={"objection": stored.objection_id})
    return _attachment(handle, stored.original_filename, stored.file.name, stored.content_type)
