"""Reads of the audit trail that must stay fast whatever its size (mediareg.models.AuditEvent is the whole
trail, for its admin page)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pghistory.models as pghistory_models
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast


def latest_changes(*, rows: int = 8) -> list:
    """The newest events of the audit trail (every audited model), each with the staff member who acted
    (``user``) or the job or command named in its context (``actor``), as the audit trail's page shows them.

    Each event table's newest ``rows`` first (an index scan: every event table has an index on its time,
    mediareg.audit.audited), then the newest of those, in one query (a UNION ALL of sorted, limited parts), and
    the people of the few found in one more: the audit trail's own union (mediareg.models.AuditEvent) reads and
    sorts every event ever written, with each one's difference from the one before, which took 16 s at 100,000
    orders (bench/integrity.py)."""
    parts = []
    for model in audited_event_models():
        has_object = any(f.name == "pgh_obj" for f in model._meta.fields)
        parts.append(model.objects.order_by("-pgh_created_at", "-pgh_id").annotate(
            event_model=Value(model._meta.label, output_field=CharField()),
            obj_model=Value(model.pgh_tracked_model._meta.label, output_field=CharField()),
            obj_id=Cast("pgh_obj_id", CharField()) if has_object else Value(None, output_field=CharField()),
        ).values_list("event_model", "pgh_id", "pgh_created_at", "pgh_label", "obj_model", "obj_id",
                      "pgh_context_id")[:rows])
    if not parts:
        return []
    newest = list(parts[0].union(*parts[1:], all=True).order_by("-pgh_created_at", "-pgh_id")[:rows])
    who = context_people([row[6] for row in newest if row[6]])
    return [SimpleNamespace(pgh_model=event_model, pgh_id=pgh_id, pgh_created_at=created_at, pgh_label=label,
                            pgh_obj_model=obj_model, pgh_obj_id=obj_id, user=who.get(context_id, (None, None))[0],
                            actor=who.get(context_id, (None, None))[1])
            for event_model, pgh_id, created_at, label, obj_model, obj_id, context_id in newest]


def context_people(context_ids: list) -> dict:
    """For each audit context: the staff member it names (a user with the names the page shows, or None) and
    the job or command (``actor``), as AuditEvent's ``user`` and ``actor`` read the context's metadata. One
    query, also for none (the ORM skips an empty ``IN``), so the staff home's count is fixed."""
    user_model = get_user_model()
    users = user_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.metadata->>'actor', u.id, u.username, u.first_name, u.last_name "  # noqa: S608
            f"FROM pghistory_context c LEFT JOIN {connection.ops.quote_name(users)} u "
            f"ON u.id::text = c.metadata->>'user' WHERE c.id = ANY(%s::uuid[])", [[str(pk) for pk in context_ids]])
        rows = cursor.fetchall()
    return {pk if not isinstance(pk, str) else uuid.UUID(pk): (
        user_model(pk=user_id, username=username, first_name=first, last_name=last) if user_id else None, actor)
        for pk, actor, user_id, username, first, last in rows}


def audited_event_models() -> list:
    """The event tables of every audited model (django-pghistory's, mediareg.audit.audited)."""
    return [model for model in apps.get_models()
            if issubclass(model, pghistory_models.Event) and not model._meta.proxy]
