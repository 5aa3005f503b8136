"""Who did it: the context attached to audit events (see mediareg.models.AuditEvent).

django-pghistory records changes with PostgreSQL triggers and passes the actor to them through
session variables (README, "Audit trail"); every database MediaReg runs on, the embedded one
included, is PostgreSQL.
"""

from __future__ import annotations

import pghistory
from pghistory.middleware import HistoryMiddleware


def audited(model):
    """Track every insert, update and delete of ``model`` with a database trigger, so that bulk updates
    and raw SQL are in the audit trail too (README, "Audit trail"). A save that only bumps an
    auto_now timestamp changes nothing a person cares about and writes no event."""
    update = pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True))
    return pghistory.track(pghistory.InsertEvent(), update, pghistory.DeleteEvent())(model)


def audit_context(**metadata):
    """``with audit_context(actor="system:recheck"):`` names the job in every event it causes."""
    return pghistory.context(**metadata)


class AuditMiddleware(HistoryMiddleware):
    """Attaches the signed-in user and the URL to the events a request writes."""
