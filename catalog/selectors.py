"""Reads that several parts of the catalog share: the review queue, the outlet list with eligibility and
listing, who hears from the catalog, and the panels of the staff home."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone

from mediareg.admin_helpers import count_of, count_rows
from mediareg.mail import unique_addresses
from mediareg.models import AuditEvent, DeadLetter
from partners import selectors as registry
from partners.models import Document, MediaOutlet, ReviewStatus

from .models import Application, EligibilityPolicy, ListingState, ListingTransition, RecheckRun, Trigger

STAFF_GROUP = "Verifikator"


def staff_recipients(policy: EligibilityPolicy | None = None) -> list[str]:
    """Who hears from the catalog (the notice of a new application, the daily summary of suspensions):
    the policy's addresses, one per line (commas and semicolons separate them too), or, when it lists
    none, the active staff of the Verifikator group who have an e-mail address. Each address once,
    whatever its letter case, in the order given (the staff's in address order)."""
    policy = policy or EligibilityPolicy.load()
    configured = policy.staff_summary_emails.replace(",", "\n").replace(";", "\n").split()
    if configured:
        return unique_addresses(configured)
    users = (get_user_model().objects.filter(is_active=True, groups__name=STAFF_GROUP).exclude(email="")
             .order_by("email").values_list("email", flat=True).distinct())
    return unique_addresses(users)


def application_queue(applications: QuerySet[Application] | None = None) -> QuerySet[Application]:
    """The review queue's rows: each application with the number of documents it carries
    (``documents_n``) and of those waiting for review (``pending_n``), as per-row subqueries."""
    applications = Application.objects.all() if applications is None else applications
    carried = Application.documents.through
    return applications.annotate(
        documents_n=count_of(carried, "application"),
        pending_n=count_of(carried, "application", document__review_status=ReviewStatus.PENDING),
    )


def outlet_list(outlets: QuerySet[MediaOutlet] | None = None) -> QuerySet[MediaOutlet]:
    """The registry's outlet list (partners.selectors.outlet_list) with each outlet's stored eligibility
    result and listing, selected with the row."""
    return registry.outlet_list(outlets).select_related("eligibility", "listing")


# --- the staff home (the admin index; catalog/admin/home.py) -------------------------------------------
#
# Each panel is one or two queries whatever the number of rows: counts are aggregates, the listed rows
# are the few most urgent, and what a row needs from elsewhere (the outlets a company document affects)
# is an array subquery of that row. A panel is read only for a user who may open its list.

HOME_ROWS = 5
HOME_RECENT_DAYS = 7
AFFECTED_OUTLETS_SHOWN = 3
# The tasks of the nightly re-check (catalog.tasks), as mediareg.jobs names them in DeadLetter.task_name.
RECHECK_TASK_NAMES = ("catalog.tasks.recheck_all_outlets", "catalog.tasks.recheck_outlet_range")
WAITING_STATUSES = (Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in Asia/Jakarta."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def applications_waiting(today: datetime.date, *, rows: int = HOME_ROWS) -> dict:
    """Applications waiting for staff (submitted, or under review), by status, and the oldest ones with
    the calendar days each has waited (Asia/Jakarta dates)."""
    waiting = Application.objects.filter(status__in=WAITING_STATUSES)
    counts = waiting.aggregate(**{status: Count("pk", filter=Q(status=status)) for status in WAITING_STATUSES})
    oldest = list(waiting.select_related("outlet").order_by("submitted_at", "pk")[:rows])
    for application in oldest:
        application.days_waiting = (today - timezone.localdate(application.submitted_at)).days
    return {"counts": counts, "total": sum(counts.values()), "oldest": oldest}


def documents_pending_review(*, rows: int = HOME_ROWS) -> dict:
    """Documents waiting for review: how many, and those waiting longest."""
    pending = Document.objects.filter(review_status=ReviewStatus.PENDING)
    return {"count": pending.count(),
            "oldest": list(pending.select_related("company", "outlet").order_by("created_at", "pk")[:rows])}


def affected_outlets(document_outlet_id, document_company_id):
    """The outlets a document counts for, as a subquery of the document's row: its outlet, or every
    outlet of its company for a company document (partners.selectors.outlet_documents, read backwards)."""
    return MediaOutlet.objects.filter(company_id=document_company_id,
                                      pk=Coalesce(document_outlet_id, F("pk")))


def documents_expiring_soon(today: datetime.date, *, rows: int = HOME_ROWS,
                            within_days: int = registry.EXPIRY_WARNING_DAYS) -> dict:
    """Documents, not rejected, that run out within 30 days, company documents included: how many, how many
    outlets they affect (an outlet counts its company's documents), and the soonest, each with the outlets
    it affects (the first few by name, ``affected``, and how many, ``affected_n``)."""
    expiring = registry.documents_expiring(today=today, within_days=within_days)
    outlets = affected_outlets(OuterRef("outlet_id"), OuterRef("company_id"))
    soonest = list(expiring.select_related("company", "outlet").annotate(
        affected=ArraySubquery(outlets.order_by("name", "pk").values(
            json=JSONObject(id="pk", name="name"))[:AFFECTED_OUTLETS_SHOWN]),
        affected_n=count_rows(outlets),
    ).order_by("expiry_date", "pk")[:rows])
    for document in soonest:
        document.days_left = (document.expiry_date - today).days
        document.affected_more = document.affected_n - len(document.affected)
    outlets_affected = MediaOutlet.objects.filter(Exists(registry.documents_expiring(
        registry.outlet_documents(OuterRef("pk"), OuterRef("company_id")), today=today, within_days=within_days)))
    return {"count": expiring.count(), "outlets": outlets_affected.count(), "soonest": soonest}


# A change into suspension (by staff, a sanction or lost eligibility; not a note on a suspended listing),
# and a suspended outlet listed again.
SUSPENDED_Q = Q(to_state=ListingState.SUSPENDED) & ~Q(from_state=ListingState.SUSPENDED)
REINSTATED_Q = Q(from_state=ListingState.SUSPENDED, to_state=ListingState.LISTED)


def listing_changes(today: datetime.date, *, days: int = HOME_RECENT_DAYS, rows: int = HOME_ROWS) -> dict:
    """Outlets suspended (a change into suspension, by staff, a sanction or lost eligibility) or reinstated
    (from suspended to listed) on the last ``days`` days, today included: how many of each, and the latest."""
    since = start_of_day(today - datetime.timedelta(days=days - 1))
    recent = ListingTransition.objects.filter(created_at__gte=since).filter(SUSPENDED_Q | REINSTATED_Q)
    counts = recent.aggregate(suspended=Count("pk", filter=SUSPENDED_Q), reinstated=Count("pk", filter=REINSTATED_Q))
    latest = list(recent.select_related("listing__outlet").order_by("-created_at", "-pk")[:rows])
    for transition in latest:
        transition.reinstated = transition.to_state == ListingState.LISTED
    return {**counts, "days": days, "since": since, "latest": latest}


def last_nightly_recheck(*, failed_tasks: bool = True) -> dict | None:
    """The latest run of the nightly re-check: when, how long, what it found, and (``failed_tasks``) the
    re-check tasks set aside since it started (mediareg.jobs). None before the first run."""
    run = RecheckRun.objects.filter(trigger=Trigger.SCHEDULE).order_by("-started_at", "-pk").first()
    if run is None:
        return None
    duration = run.finished_at - run.started_at if run.finished_at else None
    failed = None
    if failed_tasks:
        failed = DeadLetter.objects.filter(task_name__in=RECHECK_TASK_NAMES, created_at__gte=run.started_at).count()
    return {"run": run, "duration": duration, "ranges_left": max(run.batches - run.batches_done, 0),
            "failed_tasks": failed}


def latest_changes(*, rows: int = 8) -> list:
    """The newest events of the audit trail (every audited model), each with the staff member who acted
    (``user``, selected with the row) or the job or command named in its context (``actor``)."""
    return list(AuditEvent.objects.select_related("user").order_by("-pgh_created_at")[:rows])


def staff_home(user, today: datetime.date) -> dict:
    """The panels of the staff home that ``user`` may see, read on ``today`` (an Asia/Jakarta date): a
    panel is left out when the user may not open the list it summarises (docs/architecture.md
    "Security": a page staff cannot open is not linked for them)."""
    can = user.has_perm
    home = {}
    if can("catalog.view_application"):
        home["applications"] = applications_waiting(today)
    if can("partners.view_document"):
        home["pending_documents"] = documents_pending_review()
        home["expiring_documents"] = documents_expiring_soon(today)
    if can("catalog.view_listingtransition"):
        home["listing_changes"] = listing_changes(today)
    if can("catalog.view_recheckrun"):
        home["recheck"] = last_nightly_recheck(failed_tasks=can("mediareg.view_deadletter"))
    if can("mediareg.view_auditevent"):
        home["audit"] = latest_changes()
    return home
