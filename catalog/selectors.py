"""Reads that several parts of the catalog share: the review queue, the outlet list with eligibility and
listing, who hears from the catalog."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from mediareg.admin_helpers import count_of
from mediareg.mail import unique_addresses
from partners import selectors as registry
from partners.models import MediaOutlet, ReviewStatus

from .models import Application, EligibilityPolicy

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
