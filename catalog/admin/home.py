"""The staff home: the admin index shows, above the list of models, what waits for staff and what
changed (catalog.selectors.staff_home reads it), each figure linked to the admin list that shows its
rows with the list's own filters.

The index itself is Django's: templates/admin/index.html extends it and asks for the panels with the
``{% staff_home %}`` tag (catalog/templatetags/staff_home.py), so neither the admin site nor its URLs
change. A figure is linked only for a user who may open the list (docs/architecture.md "Security").
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.models import ReviewStatus

from .. import home_panels, selectors
from ..models import Application, ObjectionStatus, Trigger

# django-pghistory's event labels (mediareg.audit.audited), as staff read them.
EVENT_LABELS = {"insert": _("added"), "update": _("changed"), "delete": _("deleted")}


def changelist(model: str, **params) -> str:
    """The admin list of ``app_label_model``, filtered by ``params`` (the list's filter parameters)."""
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def link(user, permission: str, url: str) -> str:
    """``url`` when ``user`` may open it, else "" (the template then shows the figure without a link)."""
    return url if user.has_perm(permission) else ""


def staff_home_panels(user, today: datetime.date | None = None) -> dict:
    """The panels ``user`` may see (catalog.selectors.staff_home) with the links of their figures."""
    today = today or timezone.localdate()
    home = selectors.staff_home(user, today)
    home["can_view_outlets"] = user.has_perm("partners.view_mediaoutlet")
    if "applications" in home:
        panel = home["applications"]
        panel["figures"] = [
            {"n": panel["counts"][status], "label": Application.Status(status).label,
             "url": changelist("catalog_application", status__exact=status)}
            for status in selectors.WAITING_STATUSES]
        panel["url"] = changelist("catalog_application")
    if "pending_documents" in home:
        home["pending_documents"]["url"] = changelist("partners_document", review_status__exact=ReviewStatus.PENDING)
    if "expiring_documents" in home:
        panel = home["expiring_documents"]
        # The document list's expiry filter reads the same selector (no rejected documents).
        panel["url"] = changelist("partners_document", expiry="30")
        panel["outlets_url"] = link(user, "partners.view_mediaoutlet",
                                    changelist("partners_mediaoutlet", expiring="30"))
    if "listing_changes" in home:
        panel = home["listing_changes"]
        days = str(panel["days"])
        panel["suspended_url"] = changelist("catalog_listingtransition", change="suspended", days=days)
        panel["reinstated_url"] = changelist("catalog_listingtransition", change="reinstated", days=days)
    if home.get("recheck"):
        panel = home["recheck"]
        run = panel["run"]
        panel["url"] = reverse("admin:catalog_recheckrun_change", args=[run.pk])
        panel["runs_url"] = changelist("catalog_recheckrun", trigger__exact=Trigger.SCHEDULE)
        started = timezone.localtime(run.started_at)
        # The results the run changed: the history's schedule rows of the run's day (its date hierarchy).
        panel["changed_url"] = link(user, "catalog.view_eligibilitychange", changelist(
            "catalog_eligibilitychange", trigger__exact=Trigger.SCHEDULE, created_at__year=started.year,
            created_at__month=started.month, created_at__day=started.day))
        if panel["failed_tasks"] is not None:
            panel["failed_url"] = changelist("mediareg_deadletter",
                                             task_name__in=",".join(selectors.RECHECK_TASK_NAMES),
                                             created_at__gte=started.isoformat())
        panel["duration_text"] = duration_text(panel["duration"])
    if "objections" in home:
        home["objections"]["url"] = changelist("catalog_objection", status__exact=ObjectionStatus.WAITING)
    if "audit" in home:
        home["audit_url"] = changelist("mediareg_auditevent")
        for event in home["audit"]:
            event.model_name = model_name(event.pgh_obj_model)
            if event.pgh_obj_model and event.pgh_obj_id:
                # The record's own trail, as its page links to it (mediareg.admin_helpers.audit_trail_link).
                record = f"{event.pgh_obj_model.lower()}:{event.pgh_obj_id}"
                event.trail_url = changelist("mediareg_auditevent", obj=record, method="references")
            event.label_text = EVENT_LABELS.get(event.pgh_label, event.pgh_label)
    # The panels of the apps above the catalog (budgets), which register them (catalog.home_panels).
    home["more"] = home_panels.more_panels(user, today)
    return home


def duration_text(duration: datetime.timedelta | None) -> str:
    if duration is None:
        return ""
    minutes, seconds = divmod(int(duration.total_seconds()), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return gettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if minutes:
        return gettext("%(m)d min %(s)d s") % {"m": minutes, "s": seconds}
    return gettext("%(s)d s") % {"s": seconds}


def model_name(label: str | None) -> str:
    """An audited model's name as staff read it ("document"), from its label ("partners.Document")."""
    try:
        return capfirst(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError, TypeError):
        return label or ""
