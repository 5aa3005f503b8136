"""Reads that several parts of the catalog share: the review queue, the outlet list with eligibility and
listing, who hears from the catalog."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Aggregate, Count, DurationField, F, QuerySet
from django.utils import timezone

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


# How long review usually takes, as the status page tells applicants: over the decisions of the last
# REVIEW_TIME_PERIOD_DAYS, and only when there are at least REVIEW_TIME_MIN_DECISIONS of them (a median of
# two or three would promise what one slow file can undo).
REVIEW_TIME_PERIOD_DAYS = 180
REVIEW_TIME_MIN_DECISIONS = 5
# A decision: approved, rejected, or changes requested (the first answer the applicant gets).
DECISIONS = (Application.Status.APPROVED, Application.Status.REJECTED, Application.Status.CHANGES_REQUESTED)


class Median(Aggregate):
    """PostgreSQL's ordered-set aggregate: the median of an interval, as an interval."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass(frozen=True)
class ReviewTime:
    median: datetime.timedelta
    decisions: int
    period_days: int

    @property
    def days(self) -> int:
        """The median in whole days, at least one ("about 0 days" would promise what review never does)."""
        return max(1, round(self.median.total_seconds() / 86400))


def review_time(now: datetime.datetime | None = None) -> ReviewTime | None:
    """The median time from submission to decision over the applications decided in the last
    REVIEW_TIME_PERIOD_DAYS; None when fewer than REVIEW_TIME_MIN_DECISIONS were. One query."""
    since = (now or timezone.now()) - datetime.timedelta(days=REVIEW_TIME_PERIOD_DAYS)
    figures = (Application.objects.filter(status__in=DECISIONS, decided_at__gte=since)
               .filter(decided_at__gte=F("submitted_at"))  # a decision typed before its submission is a mistake
               .aggregate(decisions=Count("pk"), median=Median(F("decided_at") - F("submitted_at"))))
    if figures["decisions"] < REVIEW_TIME_MIN_DECISIONS:
        return None
    return ReviewTime(median=figures["median"], decisions=figures["decisions"], period_days=REVIEW_TIME_PERIOD_DAYS)


def outlet_list(outlets: QuerySet[MediaOutlet] | None = None) -> QuerySet[MediaOutlet]:
    """The registry's outlet list (partners.selectors.outlet_list) with each outlet's stored eligibility
    result and listing, selected with the row."""
    return registry.outlet_list(outlets).select_related("eligibility", "listing")

