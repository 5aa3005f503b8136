"""Public pages: the application form, the application's status, and the renewal upload page."""

from __future__ import annotations

import ipaddress
import logging
import re

import redis
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from partners.models import ReviewStatus

from . import applications
from .forms import ApplicationForm, RenewalForm, issue_submission_key
from .models import Application
from .renewal import documents_to_renew, outlet_for_renewal, read_renewal_token, store_renewal
from .status import missing_requirements, upcoming_deadlines

logger = logging.getLogger(__name__)

# What the Redis cache raises when Redis is down or does not answer (redis-py's errors, socket errors).
CACHE_ERRORS = (redis.exceptions.RedisError, OSError)


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


@never_cache
def application_status(request, code: str):
    if not TRACKING_CODE.fullmatch(code):  # e.g. a NUL character, which PostgreSQL refuses to compare
        raise Http404
    application = get_object_or_404(Application.objects.select_related("outlet", "company"), code=code)
    documents = application.documents.order_by("pk")  # in the order of the form
    return render(request, "apply/status.html", {
        "application": application,
        "documents": documents,
        "missing": missing_requirements(application.outlet),
        "deadlines": upcoming_deadlines(application.outlet),
        "ReviewStatus": ReviewStatus,
    })


@never_cache
@require_http_methods(["GET", "POST"])
def renewal(request, token: str):
    try:
        outlet_id = read_renewal_token(token)
    except signing.SignatureExpired:
        return render(request, "apply/link_problem.html", {"problem": "expired"}, status=410)
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        return render(request, "apply/link_problem.html", {"problem": "invalid"}, status=400)
    outlet = outlet_for_renewal(outlet_id)
    if outlet is None:
        raise Http404
    if request.method == "POST":
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
        "outlet": outlet, "form": form, "expiring": documents_to_renew(outlet, timezone.localdate()),
        "max_file": filesizeformat(settings.DOCUMENT_MAX_BYTES),
        "files_to_choose_again": form.files_to_choose_again() if form.is_bound else [],
    }, status=status)
