from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health


@require_safe
@never_cache
def healthz(request):
    """For load balancers and `docker compose`: 200 when every configured service answers, else 503."""
    checks = {"database": health.database_status(), "redis": health.redis_status(),
              "documents": health.documents_status()}
    healthy = all(value in {"ok", "not configured"} for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def home(request):
    # The public entry is the application form; staff use /admin/.
    return redirect("apply")


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer when a locked-out user name and address try to log in (AXES_LOCKOUT_CALLABLE):
    the admin's login page, saying why and for how long, instead of a bare error text."""
    context = {
        **admin.site.each_context(request),
        "title": _("Login blocked"),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "admin/locked_out.html", context, status=429)


def request_too_large(request, exception=None):
    """413 with a short page in the visitor's language, for a request over settings.REQUEST_MAX_BYTES."""
    context = {"max_total": filesizeformat(settings.APPLICATION_MAX_BYTES)}
    return render(request, "413.html", context, status=413)


def bad_request(request, exception):
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request, exception)
    return defaults.bad_request(request, exception)
