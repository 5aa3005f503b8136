"""Who did it: the context attached to audit events (see mediareg.models.AuditEvent).

django-pghistory records changes with PostgreSQL triggers and passes the actor to them through
session variables. The embedded SQLite database has neither, so there these helpers do nothing
and the audit trail is not recorded (README, "Audit trail").
"""

from __future__ import annotations

import contextlib

import pghistory
from django.conf import settings
from pghistory.middleware import HistoryMiddleware


def audit_context(**metadata):
    """``with audit_context(actor="system:recheck"):`` names the job in every event it causes."""
    if settings.AUDIT_TRAIL_ENABLED:
        return pghistory.context(**metadata)
    return contextlib.nullcontext()


class AuditMiddleware(HistoryMiddleware):
    """Attaches the signed-in user and the URL to the events a request writes (PostgreSQL only)."""

    def __call__(self, request):
        if not settings.AUDIT_TRAIL_ENABLED:
            return self.get_response(request)
        return super().__call__(request)
