"""Reads that several parts of the catalog share: the review queue, the outlet list with eligibility and
listing, who hears from the catalog, the panels of the staff home and the public e-catalog's outlets."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, ExtractDay, JSONObject, TruncDate, Upper
from django.utils import timezone

from mediareg.admin_helpers import count_of, count_rows
from mediareg.audit_trail import latest_changes
from mediareg.mail import unique_addresses
from mediareg.models import DeadLetter
from partners import selectors as registry
from partners.identifiers import normalize_domain
from partners.models import Document, MediaOutlet, MediaType, OutletDomain, ReviewStatus, VerificationLevel

from .models import (
    Application,
    EligibilityPolicy,
    ListingState,
    ListingTransition,
    Objection,
    ObjectionStatus,
    RecheckRun,
    Trigger,
)
from .tiers import Tier, tier_annotation

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


def outlet_list(outlets: QuerySet[MediaOutlet] | None = None, *,
                today: datetime.date | None = None) -> QuerySet[MediaOutlet]:
    """The registry's outlet list (partners.selectors.outlet_list) with each outlet's stored eligibility
    result and listing, selected with the row, and its tier today (``tier``, catalog.tiers) computed in the
    same query."""
    return (registry.outlet_list(outlets, today=today).select_related("eligibility", "listing")
            .annotate(tier=tier_annotation(today)))


# --- the public e-catalog (/catalog/, catalog.public) ----------------------------------------------


@dataclass(frozen=True)
class CatalogFilters:
    """What a visitor of /catalog/ asked for; empty strings mean "any". ``province`` is the province's
    Kemendagri code, ``level`` a VerificationLevel value, ``media_type`` a MediaType value."""

    q: str = ""
    media_type: str = ""
    province: str = ""
    level: str = ""
    tier: str = ""


@dataclass(frozen=True)
class PublicOutlet:
    """The public facts of a listed outlet, and nothing else: the catalog's pages get these, never a
    model instance, so no template can reach a person's name, a phone number, an e-mail, an NPWP or a
    document through a relation."""

    pk: int
    name: str
    media_type: str
    domain: str
    level: str
    province: str
    listed_since: datetime.datetime
    first_listed: datetime.datetime | None
    province_code: str = ""
    tier: str | None = None

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label if self.tier in Tier.values else ""

    @property
    def media_type_label(self) -> str:
        return MediaType(self.media_type).label if self.media_type in MediaType.values else ""

    @property
    def level_label(self) -> str:
        return VerificationLevel(self.level).label


# The only columns the public pages read (PublicOutlet's fields).
PUBLIC_FIELDS = ("pk", "name", "media_type", "domain", "level", "province", "listed_since", "first_listed",
                 "province_code", "tier")


def _public_outlets() -> QuerySet[MediaOutlet]:
    """Listed outlets as rows of PUBLIC_FIELDS (``values()``: one query, no model instances)."""
    primary = OutletDomain.objects.filter(outlet=OuterRef("pk")).order_by("-is_primary", "domain")
    first_listed = (ListingTransition.objects.filter(listing__outlet=OuterRef("pk"), to_state=ListingState.LISTED)
                    .order_by("created_at").values("created_at")[:1])
    return (MediaOutlet.objects.filter(listing__state=ListingState.LISTED)
            .annotate(domain=Subquery(primary.values("domain")[:1]),
                      level=Coalesce(F("verification__level"), Value(VerificationLevel.NONE.value)),
                      province=Coalesce(F("company__province__name"), Value("")),
                      province_code=Coalesce(F("company__province__code"), Value("")),
                      listed_since=F("listing__state_since"),
                      first_listed=Subquery(first_listed),
                      tier=tier_annotation())
            .values(*PUBLIC_FIELDS))


def _search_term(q: str) -> str:
    """A pasted address (https://www.kabar.id/berita) searches by its host name, as stored."""
    if "." in q and " " not in q:
        try:
            return normalize_domain(q)
        except ValidationError:
            pass
    return q


def public_outlets(filters: CatalogFilters | None = None, outlets: QuerySet | None = None) -> QuerySet:
    """The listed outlets matching ``filters``, as rows of PUBLIC_FIELDS, unordered: what /catalog/ and the
    API's /api/v1/catalog/ list. ``outlets`` narrows rows of ``_public_outlets()`` further.

    ``q`` matches a part of the name or of any of the outlet's domains (both have trigram indexes,
    partners/migrations/0003_search_indexes.py)."""
    filters = filters or CatalogFilters()
    outlets = _public_outlets() if outlets is None else outlets
    if filters.q:
        term = _search_term(filters.q)
        outlets = outlets.filter(Q(name__icontains=filters.q)
                                 | Q(Exists(OutletDomain.objects.filter(outlet=OuterRef("pk"),
                                                                        domain__icontains=term))))
    if filters.media_type:
        outlets = outlets.filter(media_type=filters.media_type)
    if filters.province:
        outlets = outlets.filter(company__province__code=filters.province)
    if filters.level:
        outlets = outlets.filter(level=filters.level)  # the annotation: no verification row counts as none
    if filters.tier:
        outlets = outlets.filter(tier=filters.tier)  # the annotation (catalog.tiers), computed today
    return outlets


def public_catalog(filters: CatalogFilters, *, page: int | str | None = 1, per_page: int = 20) -> Page:
    """A page of the listed outlets matching ``filters`` (public_outlets), as PublicOutlet objects, in name
    order (then id, so that pages never overlap or skip an outlet). Two queries whatever ``per_page`` is: the
    count and the page."""
    outlets = public_outlets(filters).order_by(Upper("name"), "pk")
    result = Paginator(outlets, per_page).get_page(page)
    result.object_list = [PublicOutlet(**row) for row in result.object_list]
    return result


def public_outlet(pk: int) -> PublicOutlet | None:
    """The public facts of outlet ``pk`` when it is listed, else None (the page is then a 404). One query."""
    row = _public_outlets().filter(pk=pk).first()
    return PublicOutlet(**row) if row else None


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


def objections_waiting(today: datetime.date, *, rows: int = HOME_ROWS) -> dict:
    """Objections waiting for a decision: how many (and how many past their period's end), and the
    soonest deadlines first, each with the days left (negative: late) and what it objects to. Two queries."""
    waiting = Objection.objects.filter(status=ObjectionStatus.WAITING)
    counts = waiting.aggregate(total=Count("pk"), late=Count("pk", filter=Q(deadline__lt=today)))
    soonest = list(waiting.select_related("outlet", "transition").order_by("deadline", "filed_at", "pk")[:rows])
    for objection in soonest:
        objection.days_left = (objection.deadline - today).days
        objection.days_late = max(-objection.days_left, 0)
    return {**counts, "soonest": soonest}


# Staff decide an objection by the day after its period at the latest (Lampung Utara 2026 publishes the final
# list the day after the objection days): the exceptions report lists what was decided, or is still
# undecided, later than that (budgets.reports, Check.OBJECTION_LATE).
OBJECTION_DECISION_DAYS = 1


def objections_late(today: datetime.date, *, grace_days: int = 0) -> QuerySet[Objection]:
    """Objections not decided in time, for the auditors' exceptions report: decided more than
    ``grace_days`` after the end of their period (Asia/Jakarta dates), or still undecided more than
    ``grace_days`` after it. Each row with ``decided_on`` (its decision's Jakarta date, or None) and
    ``days_late`` (days past the period's end, counted to the decision or to ``today``); one query."""
    decided_on = TruncDate("decided_at", tzinfo=timezone.get_current_timezone())
    late_by = datetime.timedelta(days=grace_days)
    return (Objection.objects.select_related("outlet", "application", "transition", "decided_by")
            .annotate(decided_on=decided_on)
            .filter(Q(status=ObjectionStatus.WAITING, deadline__lt=today - late_by)
                    | (~Q(status=ObjectionStatus.WAITING) & Q(decided_on__gt=F("deadline") + late_by)))
            .annotate(days_late=ExtractDay(Coalesce(F("decided_on"), Value(today)) - F("deadline")))
            .order_by("deadline", "pk"))


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
    if can("catalog.view_objection"):
        home["objections"] = objections_waiting(today)
    if can("mediareg.view_auditevent"):
        home["audit"] = latest_changes()
    return home
