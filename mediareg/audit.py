"""Who did it: the context attached to audit events (see mediareg.models.AuditEvent).

django-pghistory records changes with PostgreSQL triggers and passes the actor to them through
session variables (README, "Audit trail"); every database MediaReg runs on, the embedded one
included, is PostgreSQL.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib

import pghistory
from django.db import models
from pghistory.middleware import HistoryMiddleware


def audited(model):
    """Track every insert, update and delete of ``model`` with a database trigger, so that bulk updates
    and raw SQL are in the audit trail too (README, "Audit trail"). A save that only bumps an
    auto_now timestamp changes nothing a person cares about and writes no event."""
    update = pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True))
    # The newest events first (the staff home's latest changes, mediareg.audit_trail) by an index scan, not a
    # sort of every event ever written. Index names are global in PostgreSQL: one from the model's label.
    label = f"{model._meta.app_label}.{model.__name__}"
    newest_first = models.Index(fields=["-pgh_created_at", "-pgh_id"],
                                name=f"audit_{hashlib.md5(label.encode(), usedforsecurity=False).hexdigest()[:12]}_at")
    return pghistory.track(pghistory.InsertEvent(), update, pghistory.DeleteEvent(),
                           meta={"indexes": [newest_first]})(model)


def audit_context(**metadata):
    """``with audit_context(actor="system:recheck"):`` names the job in every event it causes."""
    return pghistory.context(**metadata)


# Commands that serve requests for a long time: each request names its own actor (AuditMiddleware).
SERVING_COMMANDS = frozenset({"runserver", "testserver"})


def command_context(argv: list[str]):
    """Around ``manage.py <command>``: every change the command makes, a ``shell`` session's included,
    names the command and the operating-system account that ran it (``actor="command:shell"``,
    ``os_user="deploy"``), unless a job inside it names a more precise actor."""
    command = argv[1] if len(argv) > 1 else ""
    if not command or command.startswith("-") or command in SERVING_COMMANDS:
        return contextlib.nullcontext()
    import django

    django.setup()  # the audit context needs the database settings; execute_from_command_line repeats it for free
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        os_user = ""
    return audit_context(actor=f"command:{command}", os_user=os_user)


class AuditMiddleware(HistoryMiddleware):
    """Attaches the signed-in user and the URL to the events a request writes."""
